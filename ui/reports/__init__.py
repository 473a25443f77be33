"""PDF documents (Qt's own QPdfWriter): the visit record and the shift report."""
