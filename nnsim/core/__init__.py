"""The maths of chapter 1, in pure numpy.

Nothing here imports Textual or requests: the command line, the lessons and the
terminal app all read their numbers from this package.
"""

from nnsim.core.activations import sigmoid, sigmoid_prime, step
from nnsim.core.circuit import Circuit, Gate, half_adder, xor_from_nands
from nnsim.core.gradcheck import GradientCheck, gradient_check
from nnsim.core.network import Network, load_network
from nnsim.core.perceptron import AND, NAND, NOT, OR, Perceptron
from nnsim.core.trace import Trace, TraceStep, trace_backprop
from nnsim.core.dataset import Dataset
from nnsim.core.training import BatchDone, Diverged, EpochDone, EtaChanged, EtaSchedule, train

__all__ = [
    "AND", "NAND", "NOT", "OR", "BatchDone", "Circuit", "Dataset", "Diverged",
    "EpochDone", "EtaChanged", "EtaSchedule", "Gate", "GradientCheck", "Network", "Perceptron", "Trace",
    "TraceStep", "gradient_check", "half_adder", "load_network", "sigmoid",
    "sigmoid_prime", "step", "trace_backprop", "train", "xor_from_nands",
]
