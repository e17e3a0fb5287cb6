"""Class-by-class metrics against counts made by hand and by plain loops."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnsim.core import Dataset, Network, train
from nnsim.core.metrics import (
    Mistake, class_report, confusion_matrix, mistakes, per_class_accuracy, report_from_answers, unclassified,
)


def test_confusion_matrix_of_a_small_example_counted_by_hand():
    labels = [0, 0, 1, 1, 1, 2]
    answers = [0, 1, 1, 1, 2, 0]
    expected = np.array([[1, 1, 0],
                         [0, 2, 1],
                         [1, 0, 0]])
    np.testing.assert_array_equal(confusion_matrix(labels, answers, 3), expected)
    np.testing.assert_allclose(per_class_accuracy(expected), [1 / 2, 2 / 3, 0 / 1])


def test_answers_that_name_no_class_are_counted_apart_and_as_wrong():
    # A four-output network spells 0 … 15; 12 and 15 are no digit.
    labels = [3, 3, 7, 7]
    answers = [3, 12, 15, 7]
    confusion = confusion_matrix(labels, answers, 10)
    assert confusion.sum() == 2
    np.testing.assert_array_equal(unclassified(labels, answers, 10), [0, 0, 0, 1, 0, 0, 0, 1, 0, 0])
    accuracy = per_class_accuracy(confusion, unclassified(labels, answers, 10))
    assert accuracy[3] == 0.5 and accuracy[7] == 0.5
    assert np.isnan(accuracy[0])  # no zeros in the test set


def test_labels_outside_the_classes_are_refused():
    with pytest.raises(ValueError, match="labels must lie in 0 … 9"):
        confusion_matrix([10], [1], 10)
    with pytest.raises(ValueError, match="2 labels but 1 answers"):
        confusion_matrix([1, 2], [1], 10)


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(-1, 6)), min_size=0, max_size=60))
def test_confusion_matrix_equals_a_plain_count(pairs):
    labels = [p[0] for p in pairs]
    answers = [p[1] for p in pairs]
    expected = np.zeros((5, 5), dtype=np.int64)
    outside = np.zeros(5, dtype=np.int64)
    for label, answer in pairs:
        if 0 <= answer < 5:
            expected[label, answer] += 1
        else:
            outside[label] += 1
    np.testing.assert_array_equal(confusion_matrix(labels, answers, 5), expected)
    np.testing.assert_array_equal(unclassified(labels, answers, 5), outside)


def test_mistakes_come_most_confident_first_with_the_answer_neurons_activation():
    output = np.array([
        # example: 0     1     2     3     4
        [0.90, 0.10, 0.20, 0.30, 0.70],  # neuron 0
        [0.05, 0.80, 0.60, 0.95, 0.71],  # neuron 1
        [0.01, 0.20, 0.10, 0.10, 0.10],  # neuron 2
    ])
    labels = [0, 0, 2, 0, 0]
    answers = np.argmax(output, axis=0)  # 0, 1, 1, 1, 1
    found = mistakes(output, labels, answers, n_classes=3)
    assert found == [Mistake(3, 0, 1, pytest.approx(0.95)), Mistake(1, 0, 1, pytest.approx(0.80)),
                     Mistake(4, 0, 1, pytest.approx(0.71)), Mistake(2, 2, 1, pytest.approx(0.60))]
    assert mistakes(output, labels, answers, limit=2, n_classes=3) == found[:2]


def test_without_one_output_per_class_a_mistake_has_no_confidence():
    output = np.zeros((4, 3))  # four binary outputs, ten classes
    found = mistakes(output, [1, 2, 3], [1, 0, 12], n_classes=10)
    assert [(m.index, m.label, m.answer) for m in found] == [(1, 2, 0), (2, 3, 12)]
    assert all(np.isnan(m.confidence) for m in found)


def test_class_report_of_a_trained_network_agrees_with_the_cores_epoch_count():
    rng = np.random.default_rng(1)
    x = rng.random((300, 8))
    labels = np.argmax(x[:, :4], axis=1)
    data = Dataset.from_labels(x, labels, n_out=4)
    net = Network([8, 6, 4], seed=2)
    epochs = [e for e in train(net, data, 3, 10, 3.0, test=data, seed=5) if type(e).__name__ == "EpochDone"]
    report = class_report(net, data.x, data.labels, n_classes=4, limit=5)
    # The core counted correct answers its own way after the last epoch: the diagonal must agree.
    assert report.correct == epochs[-1].correct
    assert report.total == 300 and report.wrong == 300 - report.correct
    # Rows add up to each class's examples; per-class accuracy is diagonal / row.
    np.testing.assert_array_equal(report.confusion.sum(axis=1), np.bincount(labels, minlength=4))
    answers = [int(np.argmax(net.feedforward(x[i].reshape(-1, 1).astype(np.float32)))) for i in range(300)]
    for c in range(4):
        mine = [a for a, l in zip(answers, labels) if l == c]
        assert report.per_class[c] == pytest.approx(sum(a == c for a in mine) / len(mine))
    assert len(report.mistakes) == min(5, report.wrong)
    for m in report.mistakes:
        assert answers[m.index] == m.answer != labels[m.index] == m.label
        column = net.feedforward(x[m.index].reshape(-1, 1).astype(np.float32))
        assert m.confidence == pytest.approx(float(column[m.answer, 0]), rel=1e-5)


def test_report_from_answers_with_a_custom_classifier():
    output = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.7]])  # 4 bit neurons, 2 examples
    answers = (output > 0.5).astype(int).T @ np.array([8, 4, 2, 1])  # 12, 3
    report = report_from_answers(output, [2, 3], answers, n_classes=10)
    assert report.correct == 1 and report.wrong == 1
    assert report.unclassified[2] == 1
    assert report.mistakes[0].answer == 12 and np.isnan(report.mistakes[0].confidence)


def test_most_confused_is_the_largest_count_off_the_diagonal():
    from nnsim.core.metrics import most_confused

    confusion = np.array([[50, 1, 7], [0, 40, 2], [3, 7, 99]])
    # The diagonal's 99 is the largest count but no confusion; 7 appears twice: the first wins.
    assert most_confused(confusion) == (0, 2, 7)
    assert most_confused(np.diag([5, 5])) is None


def test_average_darkness_guesses_the_digit_of_the_nearest_average():
    from nnsim.core.metrics import average_darkness_accuracy

    # Digit d's training images have darkness d·10 (+/- 1); test images sit nearest their own digit's
    # average, except the last, nearest digit 3's average though labelled 2.
    train_x = np.zeros((20, 784))
    labels = np.repeat(np.arange(10), 2)
    for i, d in enumerate(labels):
        train_x[i, :d * 10 + (1 if i % 2 else -1) + 1] = 1.0  # sums d·10, d·10 + 2 → average d·10 + 1
    test_x = np.zeros((4, 784))
    for i, s in enumerate((1, 31, 91, 30)):
        test_x[i, :s] = 1.0
    assert average_darkness_accuracy(train_x, labels, test_x, [0, 3, 9, 2]) == 0.75
    # A digit without training examples is never guessed.
    assert average_darkness_accuracy(train_x[2:], labels[2:], test_x[:1], [0]) == 0.0
