"""Progress bars for the card commands: a live bar on a terminal, one summary line anywhere else.

tqdm redraws its bar with carriage returns, which a log file or CI output shows as one overlong line
of every redraw; there, a single line at the end says the same.
"""

import time

from tqdm import tqdm


class Progress:
    def __init__(self, *, total: int, desc: str, unit: str, stream, quiet: bool = False):
        self.total, self.desc, self.unit, self.stream = total, desc, unit, stream
        self.live = not quiet and _is_terminal(stream)
        self.summary = not quiet and not self.live
        self.bar = tqdm(total=total, desc=desc, unit=unit, disable=not self.live, file=stream)
        self.started = time.perf_counter()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.bar.close()
        if self.summary and exc_info[0] is None:
            seconds = time.perf_counter() - self.started
            self.stream.write(f"{self.desc}: {self.total:,} {self.unit}s in {seconds:,.1f} s\n")
            self.stream.flush()

    def update(self, count: int = 1) -> None:
        self.bar.update(count)

    def write(self, line: str, *, file) -> None:
        """A line of output that the live bar is redrawn below."""
        self.bar.write(line, file=file)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
