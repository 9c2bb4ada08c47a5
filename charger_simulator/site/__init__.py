"""光储充 site mode: PV + battery + building load + chargers behind one grid connection."""
