"""The lessons' way to the data layer: its errors name the lesson's key that asked."""

from __future__ import annotations

from nnsim.errors import DataMissing, NnsimError


def load_splits(name: str, data_dir=None, validation_size=None, where: str = ""):
    """The data layer's splits of dataset ``name``; an error is prefixed with ``where``."""
    from nnsim.data import load_dataset

    kwargs = {"data_dir": data_dir}
    if validation_size is not None:
        kwargs["validation_size"] = validation_size
    try:
        return load_dataset(name, **kwargs)
    except DataMissing as error:
        raise error.again(f"{where}: {error}") from None
    except NnsimError as error:
        raise NnsimError(f"{where}: {error}") from None
