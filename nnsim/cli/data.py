"""``nnsim data download|path|verify``: datasets from the command line.

The data machinery is imported inside the handlers so that ``nnsim`` starts fast.
"""

from __future__ import annotations

from nnsim.cli.args import dataset_option
from nnsim.sanitize import sanitize


def say(text) -> None:
    """``print`` for file names and paths (which may hold control characters)."""
    print(sanitize(text))


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "data", help="download, locate and verify datasets (MNIST, Fashion-MNIST)",
        description="Download datasets into nnsim's cache ($NNSIM_DATA_DIR, else your cache folder), show "
                    "where they are, and verify their checksums.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p), required=True)

    d = actions.add_parser(
        "download", help="download a dataset into the cache (checksums verified)",
        description="Download a dataset's files from its mirrors, in order, into the cache. A file is kept "
                    "only if its size and published MD5 match; an interrupted download resumes next time.")
    dataset_option(d)
    d.add_argument("--mirror", metavar="URL",
                   help="download from this host instead (for MNIST also $NNSIM_MNIST_MIRROR), "
                        "e.g. a school's copy serving the four .gz files")
    d.add_argument("--force", action="store_true", help="download again even if the files are cached")
    d.set_defaults(func=download_command)

    d = actions.add_parser("path", help="print where a dataset is cached",
                           description="Print the folder a dataset is cached in (the sample's file for "
                                       "--dataset sample).")
    dataset_option(d)
    d.set_defaults(func=path_command)

    d = actions.add_parser(
        "verify", help="check a dataset's files: cached ones against published checksums, local ones "
                       "for structure",
        description="Check the cached files against their published sizes and MD5s, or with --data-dir read "
                    "local files strictly and report their MD5s. Exit 0 when everything checks out.")
    dataset_option(d)
    d.add_argument("--data-dir", metavar="DIR", help="check the files in this folder instead of the cache")
    d.set_defaults(func=verify_command)


# -- nnsim data ---------------------------------------------------------------------------

def download_command(args) -> int:
    from nnsim.data import fetch, sample_path
    from nnsim.data.cache import report
    from nnsim.data.sources import source

    if args.dataset == "sample":
        say(f"the sample ships with nnsim, nothing to download: {sample_path()}")
        return 0
    paths = fetch(args.dataset, mirror=args.mirror, force=args.force)
    src = source(args.dataset)
    for path in paths:
        say(report(path, src.published(path.name)).describe())
    return 0


def path_command(args) -> int:
    from nnsim.data import dataset_dir, sample_path

    say(sample_path() if args.dataset == "sample" else dataset_dir(args.dataset))
    return 0


def verify_command(args) -> int:
    from nnsim.data import dataset_dir, load_dataset, sample_path, verify_cache
    from nnsim.data.cache import report
    from nnsim.errors import NnsimError

    if args.dataset == "sample" or args.data_dir is not None:
        splits = load_dataset(args.dataset, data_dir=args.data_dir, validation_size=0)
        for f in splits.files:
            say(f.describe())
        if args.dataset == "sample":
            f = report(sample_path(), None)
            say(f"{f.path}  {f.size:,} bytes  MD5 {f.md5}  (bundled with nnsim)")
        say(f"ok: {splits.source.rsplit(':', 1)[0]}: {len(splits.training):,} training and "
              f"{len(splits.test):,} test examples read and checked")
        return 0
    folder = dataset_dir(args.dataset)
    results = verify_cache(args.dataset)
    bad = [r for _, r in results if r is not None and r.matches is False]
    for name, r in results:
        say(f"{folder / name}  not downloaded" if r is None else r.describe())
    if bad:
        raise NnsimError(f"{bad[0].path}: MD5 {bad[0].md5} is not the published {bad[0].published.md5}: "
                         f"delete it and run 'nnsim data download{_dataset_flag(args)}'")
    present = {name for name, r in results if r is not None}
    idx_names = {name for name, _ in results if not name.endswith(".pkl.gz")}
    if not (idx_names <= present or "mnist.pkl.gz" in present):
        raise NnsimError(f"{folder}: the dataset is not (completely) downloaded: run "
                         f"'nnsim data download{_dataset_flag(args)}'")
    say(f"ok: {folder} holds the published files")
    return 0


def _dataset_flag(args) -> str:
    return "" if args.dataset == "mnist" else f" --dataset {args.dataset}"
