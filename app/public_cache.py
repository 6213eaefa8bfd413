"""What a shared cache may keep: `cacheable` marks a public answer, `private` one that is the
visitor's own, and public answers never touch the session.

Flask-Login peeks into the session after every request, which makes Flask add
`Vary: Cookie` and, for a permanent session, refresh its cookie: on a public page that would
split the cache per visitor, or worse, hand one visitor's Set-Cookie to the next. A public
response has not read the session itself (the fan pages never do), so it is left out here.
"""

from flask.sessions import SecureCookieSessionInterface

PAGE_MAX_AGE = 60  # seconds a shared cache may serve a public page before asking again


def cacheable(response):
    response.cache_control.public = True
    response.cache_control.max_age = PAGE_MAX_AGE
    return response


def private(response):
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


class PublicAwareSessionInterface(SecureCookieSessionInterface):
    def save_session(self, app, session, response):
        if response.cache_control.public:
            if not session.modified:
                return
            # Something did change the session: then this answer is not for a shared cache.
            response.cache_control.public = False
            response.cache_control.private = True
        super().save_session(app, session, response)


def init_app(app) -> None:
    app.session_interface = PublicAwareSessionInterface()
