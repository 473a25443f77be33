"""Colours, symbols and words per alarm priority, and the plot colours, colour-blind safe.

Colours come from the Okabe-Ito palette, readable with the common colour-vision
deficiencies; priority is never carried by colour alone: every place that shows a
priority also shows its symbol (the engine's `***`/`**`/`*`/`i`) and its word.
IEC 60601-1-8 asks for red (high), yellow (medium), cyan or yellow (low): vermillion,
yellow and sky blue are the nearest Okabe-Ito hues. Flash rates: high about 2 Hz,
medium about 0.5 Hz, low and advisory steady.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.alarms import Priority

# Okabe & Ito (2008), "Color Universal Design".
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#BBBBBB"
WHITE = "#FFFFFF"


@dataclass(frozen=True)
class PriorityStyle:
    """How one priority looks on screen."""

    background: str
    dim_background: str  # the "off" phase of a flashing banner, still tinted
    foreground: str
    symbol: str
    word: str
    flash_hz: float | None  # None: steady

    @property
    def flash_interval_ms(self) -> int | None:
        """Milliseconds between on/off toggles (half a flash period); None: steady."""
        return None if self.flash_hz is None else round(500 / self.flash_hz)

    def badge(self) -> str:
        """Symbol and word together: `*** HIGH`."""
        return f"{self.symbol} {self.word}"


STYLES: dict[Priority, PriorityStyle] = {
    Priority.HIGH: PriorityStyle(VERMILLION, "#F2BFA0", BLACK, Priority.HIGH.symbol, "HIGH",
                                 2.0),
    Priority.MEDIUM: PriorityStyle(YELLOW, "#FAF5C0", BLACK, Priority.MEDIUM.symbol, "MEDIUM",
                                   0.5),
    Priority.LOW: PriorityStyle(SKY_BLUE, SKY_BLUE, BLACK, Priority.LOW.symbol, "LOW", None),
    Priority.ADVISORY: PriorityStyle("#DDDDDD", "#DDDDDD", BLACK, Priority.ADVISORY.symbol,
                                     "ADVISORY", None),
}
NO_ALARM = PriorityStyle("#F4F4F4", "#F4F4F4", "#333333", "", "No alarms", None)


def style_for(priority: Priority | None) -> PriorityStyle:
    return NO_ALARM if priority is None else STYLES[priority]


@dataclass(frozen=True)
class PlotColours:
    """Curve colours (on a white background) for the chair plot."""

    rate: str = BLUE
    volume: str = BLUISH_GREEN
    pressure: str = REDDISH_PURPLE
    limit: str = VERMILLION
    pause: str = "#E4E4E4"  # opaque: a translucent fill costs a blend of every pixel
    titration: str = BLUE
    side_effect: str = VERMILLION
    vitals: str = BLUISH_GREEN
    alarm: str = ORANGE
    background: str = WHITE
    foreground: str = "#222222"


PLOT = PlotColours()
