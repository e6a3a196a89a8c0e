"""The work overview (Werkoverzicht): what waits for the neighbourhood director, a facilitator or an alderman now."""
