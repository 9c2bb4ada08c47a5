"""SYNTHETIC sample register of Xiangjiang New Area car parks (not real data); see generate.py."""
