"""Summarise a py-spy raw profile (collapsed stacks) of a Celery worker's pool children.

    python bench/profile_summary.py PROFILE.txt [--top 30] [--under FUNCTION]

Prints, for the samples taken in the pool children (the main process is left out; a profile of
a single process is taken whole), the share
of samples spent inside each function (inclusive, each function counted once per stack) and
in each function itself (self). ``--under`` keeps only the stacks that pass through FUNCTION.
"""
import argparse
import collections


def read_child_stacks(path):
    """Yield (frames, count) for the samples of processes other than the worker's main one."""
    with open(path) as lines:
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            frames = stack.split(";")
            frames = [f for f in frames if not f.startswith("thread (")]
            pids = [f.split(":")[0] for f in frames if f.startswith("process ")]
            if len(pids) == 1:  # the worker's main process, in a profile taken with --subprocesses
                continue
            last = max((i for i, f in enumerate(frames) if f.startswith("process ")), default=-1)
            if frames[last + 1:]:
                yield frames[last + 1:], int(count)


def summarise(path, *, top, under=None):
    inclusive, own, total = collections.Counter(), collections.Counter(), 0
    for frames, count in read_child_stacks(path):
        names = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0] for f in frames]
        if under and not any(under in n for n in names):
            continue
        total += count
        for name in set(names):
            inclusive[name] += count
        own[names[-1]] += count
    print(f"{total} samples in the pool children")
    print("inclusive:")
    for name, count in inclusive.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("self:")
    for name, count in own.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--under")
    args = parser.parse_args()
    summarise(args.profile, top=args.top, under=args.under)


if __name__ == "__main__":
    main()
