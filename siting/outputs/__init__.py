"""Writers for plan results: JSON document, GeoJSON, HTML map (inline SVG), PNG curve, terminal summary."""
