"""The widget and its wire: the output, the terminal view, the page's chunks."""
