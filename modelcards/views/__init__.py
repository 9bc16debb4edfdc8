"""Views, one module per area: cards, suggestions, talk."""
