"""A spike of the spike record in two lines of text, for narrow places (Home's rising spikes, the
Executive summary's Top spikes), where a table cut its columns off: where it is and how big, then
when (in the reader's time zone, named) and more. The figures are the record's texts
(watchfloor.spike_record.texts), as every page writes them."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components import plain, times


def spike_lines(spike: dict, zone: str, *, level: bool = True, peak: bool = True, last_24h: str | None = None) -> str:
    """Markdown: '**Spam · API** · High · **5.6×** expected · **10,713** extra cases', then, in grey,
    '12-03 14:00 – ongoing (Europe/Berlin) · peak 12-03 15:00 (2,406 vs 310) · last 24 h 13,038 vs
    2,346'. The label is data, so escaped."""
    first = [f"**{plain.md(spike['label'])}**"]
    if level:
        first.append(spike["severity"].capitalize())
    first.append(f"**{spike['multiplier_text']}** expected · **{spike['excess_text']}** extra cases")
    second = [f"{spike['span_text']} ({plain.md(zone)})"]
    if peak:
        second.append(f"peak {spike['peak_text']}")
    if last_24h is not None:
        second.append(f"last 24 h {last_24h}")
    return " · ".join(first) + "  \n:gray[" + " · ".join(second) + "]"


def spike_list(spikes: pl.DataFrame, key: str, *, level: bool = True, peak: bool = True,
               last_24h: list[str] | None = None) -> None:
    """The record's rows (with their times, RECORD_SCHEMA), two lines each, times in the reader's zone."""
    shown = times.spike_texts(spikes)
    zone = times.label()
    with st.container(key=key, gap="small"):
        for i, row in enumerate(shown.iter_rows(named=True)):
            st.markdown(spike_lines(row, zone, level=level, peak=peak,
                                    last_24h=None if last_24h is None else last_24h[i]))
