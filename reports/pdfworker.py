"""A PDF worker process: `python -m reports.pdfworker IN.html:OUT.pdf ...` lays out each HTML file nobody else has
claimed with WeasyPrint and writes the PDF next to it (atomically, so the parent can count finished chunks for its
progress bar).

Plain subprocesses rather than multiprocessing: a Celery prefork child is a daemon process, and daemon processes may
not have multiprocessing children. The chunks reference no files or URLs, so every fetch is refused."""

import os
import sys

from weasyprint import HTML
from weasyprint.urls import URLFetcher


class NoFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        raise ValueError(f"refused: {url[:80]}")


def render(html: str) -> bytes:
    return HTML(string=html, base_url="https://pdf.invalid/", url_fetcher=NoFetcher()).write_pdf()


def claim(target: str) -> bool:
    """Take a chunk nobody has taken: creating the claim file is atomic (O_EXCL), so the parent and the workers can
    pull chunks from the same list without a queue, each finishing as soon as nothing is left."""
    try:
        os.close(os.open(target + ".claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def main(pairs: list[str]) -> int:
    for pair in pairs:
        source, target = pair.split(":", 1)
        if not claim(target):
            continue
        with open(source, encoding="utf-8") as f:
            pdf = render(f.read())
        with open(target + ".part", "wb") as f:
            f.write(pdf)
        os.replace(target + ".part", target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
