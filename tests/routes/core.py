from tests.routes.cases import ANY_STATUS, OwnData

ROUTES = {
    # Who am I: also for members of pending and suspended organisations (the app shows
    # them why their space is closed), and users of none; only ever their own organisation.
    "api:me": OwnData("/api/v1/me", statuses=ANY_STATUS, without_organisation=200),
    "space:dashboard": OwnData("/space/"),
}
