"""Draw a digit: the canvas, what the network sees and says, and the way to its backprop pass."""
