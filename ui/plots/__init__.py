"""pyqtgraph views: the chair plot, its pause shading and its event lane."""
