"""Train lessons: the plan (data, network, targets), the epochs as steps, and the settings
a training screen or ``nnsim train`` changes between runs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

import numpy as np

from nnsim.core.network import Network
from nnsim.core.dataset import Dataset
from nnsim.core.training import Diverged, EpochDone, train
from nnsim.errors import DataMissing, NnsimError
from nnsim.lessons.datasets import load_splits
from nnsim.lessons.kinds.backprop import lesson_network
from nnsim.lessons.scenario import Scenario, parse_scenario
from nnsim.lessons.steps import LessonStep, check_step_references, narration_for
from nnsim.lessons.text import check_template

DATASET_TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST", "sample": "the offline sample"}


def binary_targets(labels: np.ndarray) -> np.ndarray:
    """The "efficiency paradox" coding: a digit as 4 output bits, most significant first."""
    labels = np.asarray(labels, dtype=np.int64)
    return ((labels[:, None] >> np.arange(3, -1, -1)) & 1).astype(np.float32)


def binary_classify(output: np.ndarray) -> np.ndarray:
    """Read 4 output neurons as bits (on above 0.5): the number they spell, 0 to 15."""
    return (np.asarray(output) > 0.5).astype(np.int64).T @ (1 << np.arange(3, -1, -1))


@dataclass
class TrainingPlan:
    """Everything a train lesson needs, ready for the core's ``train`` generator."""

    network: Network
    training: Dataset
    test: Dataset
    epochs: int
    mini_batch_size: int
    eta: float
    seed: int
    classify: Optional[Callable[[np.ndarray], np.ndarray]] = None
    source: str = ""
    settings: dict = field(default_factory=dict)

    def events(self, classify: Optional[Callable[[np.ndarray], np.ndarray]] = None) -> Iterator:
        """The core's events: ``BatchDone``, ``EpochDone``, ``Diverged``; ``classify``
        (default the plan's) reads the test outputs after each epoch."""
        return train(self.network, self.training, self.epochs, self.mini_batch_size, self.eta,
                     test=self.test, seed=self.seed, classify=classify or self.classify)


EPOCH_VALUES = ("epoch", "correct", "total", "accuracy", "mean_cost", "seconds")
"""The values of an epoch's step, which its narration's placeholders may name."""


def check_epoch_narration(scenario: Scenario) -> None:
    """Placeholders of a train lesson's narration name an epoch's values: checked before
    training, not when the epoch arrives minutes later."""
    for number, rule in enumerate(scenario.narration, 1):
        problem = check_template(rule.text, EPOCH_VALUES)
        if problem:
            raise NnsimError(f"{scenario.label}: [[narration]][{number}].text: {problem}")


def plan_training(scenario: Scenario, quick: bool = False, data_dir=None) -> TrainingPlan:
    """Load the lesson's data, build its network and targets (10 one-hot or 4 binary outputs)."""
    scenario = scenario.variant(quick)
    spec = scenario.train
    if spec is None:
        raise NnsimError(f"{scenario.label}: only train lessons are trained")
    check_epoch_narration(scenario)
    validation = spec.validation_size
    if validation is None and spec.dataset == "sample":
        validation = 0
    table = "[quick]" if scenario.is_quick and "dataset" in scenario.raw.get("quick", {}) else "[train]"
    try:
        splits = load_splits(spec.dataset, data_dir, validation_size=validation,
                       where=f"{scenario.label}: {table}.dataset")
    except NnsimError as error:
        if scenario.quick is None or scenario.is_quick:
            raise
        longer = (f"{error} (or play this lesson's quick variant on the offline sample: "
                  f"nnsim run --quick {scenario.name})")
        raise (error.again(longer) if isinstance(error, DataMissing) else NnsimError(longer)) from None
    test = splits.test if splits.test is not None and len(splits.test) else splits.validation
    if test is None or not len(test):
        raise NnsimError(f"{scenario.label}: {spec.dataset} has no test examples to measure accuracy on")
    rng = np.random.default_rng(spec.seed)
    training = _subset(splits.training, spec.training_size, rng)
    test = _subset(test, spec.test_size, rng)
    classify = None
    if spec.outputs == "binary":
        training = Dataset(training.x, binary_targets(training.labels), training.labels)
        classify = binary_classify
    settings = dict(sizes=list(scenario.network.sizes), epochs=spec.epochs, mini_batch_size=spec.mini_batch_size,
                    eta=spec.eta, dataset=spec.dataset, outputs=spec.outputs, training=len(training),
                    test=len(test), seed=spec.seed)
    return TrainingPlan(lesson_network(scenario), training, test, spec.epochs, spec.mini_batch_size, spec.eta,
                        spec.seed, classify, getattr(splits, "source", spec.dataset), settings)


def _subset(data: Dataset, size: Optional[int], rng: np.random.Generator) -> Dataset:
    """A random subset (the files may be ordered by class), kept in file order."""
    if size is None or size >= len(data):
        return data
    return data.subset(np.sort(rng.choice(len(data), size=size, replace=False)))


def train_steps(scenario: Scenario, quick: bool = False, data_dir=None,
                plan: Optional[TrainingPlan] = None) -> Iterator[LessonStep]:
    """Train a lesson, yielding one step per epoch (and one if training diverges)."""
    scenario = scenario.variant(quick)
    plan = plan or plan_training(scenario, data_dir=data_dir)
    titles = [f"epoch {e}" for e in range(plan.epochs)]
    # Narration and breakpoints serve both variants: check them against the longer run.
    check_step_references(scenario, [f"epoch {e}" for e in range(scenario.max_epochs)])
    index = 0
    for event in plan.events():
        if isinstance(event, EpochDone):
            title = titles[event.epoch]
            values = dict(epoch=float(event.epoch), correct=float(event.correct), total=float(event.total),
                          accuracy=float(event.accuracy), mean_cost=float(event.mean_cost),
                          seconds=float(event.seconds))
            yield LessonStep(index, title, narration_for(scenario, index, title, event.log_line(), values),
                             "epoch", event, values)
            index += 1
        elif isinstance(event, Diverged):
            title = f"diverged in epoch {event.epoch}"
            values = dict(epoch=float(event.epoch), batch=float(event.index))
            yield LessonStep(index, title, event.message, "diverged", event, values)
            return


# -- plans between runs -----------------------------------------------------------------

DATA_KEYS = ("dataset", "validation_size", "training_size", "test_size", "outputs")


def replan(plan: TrainingPlan, old: Scenario, new: Scenario) -> Optional[TrainingPlan]:
    """The plan for ``new`` reusing ``plan``'s data when ``new`` trains on the same data
    (only the network or the learning settings changed); None if data must be reloaded."""
    a, b = old.train, new.train
    if any(getattr(a, k) != getattr(b, k) for k in DATA_KEYS):
        return None
    if (a.training_size or a.test_size) and a.seed != b.seed:
        return None  # the subsets are drawn with the seed
    settings = dict(plan.settings, sizes=list(new.network.sizes), epochs=b.epochs,
                    mini_batch_size=b.mini_batch_size, eta=b.eta, seed=b.seed)
    return dataclasses.replace(plan, network=lesson_network(new), epochs=b.epochs, mini_batch_size=b.mini_batch_size,
                               eta=b.eta, seed=b.seed, settings=settings)


def load_plan(scenario: Scenario, data_dir=None) -> TrainingPlan:
    """The lesson's plan (loads its data: MNIST takes a second or two)."""
    return plan_training(scenario, data_dir=data_dir)


EDITABLE = ("network.sizes", "network.seed", "train.epochs", "train.mini_batch_size", "train.eta", "train.seed",
            "train.dataset")


def train_scenario(sizes=(784, 30, 10), epochs: int = 30, mini_batch_size: int = 10, eta: float = 3.0,
                   seed: int = 0, dataset: str = "mnist", validation_size: Optional[int] = None,
                   dtype: str = "float32") -> Scenario:
    """A train lesson made from ``nnsim train``'s options (validated like a file):
    every setting editable, one ``seed`` for the initial weights and the shuffles."""
    sizes = [int(n) for n in sizes]
    train = {"dataset": dataset, "epochs": epochs, "mini_batch_size": mini_batch_size, "eta": eta, "seed": seed}
    if validation_size is not None:
        train["validation_size"] = validation_size
    raw = {
        "title": f"Training {sizes} on {DATASET_TITLES.get(dataset, dataset)}",
        "description": ("Mini-batch stochastic gradient descent, as in the chapter: each epoch shuffles the "
                        "training data, takes one gradient step per mini-batch and then counts the test "
                        "images the network reads correctly."),
        "kind": "train",
        "network": {"sizes": sizes, "seed": seed, "dtype": dtype},
        "train": train,
        "controls": {"editable": list(EDITABLE)},
    }
    return parse_scenario(raw, "nnsim train", "train")


def first_step(scenario: Scenario) -> LessonStep:
    """Step 0 of a training screen: the untrained network, before the first epoch."""
    spec = scenario.train
    # Index -1: a rule for step 0 means epoch 0, as in ``nnsim run``.
    text = narration_for(scenario, -1, "before training", scenario.description.strip())
    values = dict(epochs=float(spec.epochs), mini_batch_size=float(spec.mini_batch_size), eta=float(spec.eta),
                  seed=float(spec.seed))
    return LessonStep(0, "before training", text, "settings", spec, values)


CLASS_NAMES = {
    # Fashion-MNIST's labels, from its authors' README (zalandoresearch/fashion-mnist).
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                      "Ankle boot"),
}
"""Names of the classes where they are not simply the digits 0 to 9."""
