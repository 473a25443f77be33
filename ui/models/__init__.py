"""Qt-free data behind the views: series buffers, alarm rows, numerics text."""
