ROUTES: dict[str, object] = {}
