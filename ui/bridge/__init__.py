"""From driver threads to the GUI thread: typed Qt signals, never serial I/O."""
