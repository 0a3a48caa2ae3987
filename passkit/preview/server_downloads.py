"""The live preview's downloads: the sample pass signed as a .pkpass, and its Google save link,
when signing is configured (PASSKIT_APPLE_* and PASSKIT_GOOGLE_* variables)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from starlette.responses import HTMLResponse, PlainTextResponse, Response

from passkit.errors import PasskitError
from passkit.preview.server_state import PreviewState


def download_pkpass(state: PreviewState, name: str) -> Response:
    """The sample pass of layout `name`, signed (404 without Apple signing configured)."""
    from passkit.apple.bundle import build_pkpass
    from passkit.batch.build_plan import AppleCredentials

    try:
        credentials = AppleCredentials.resolve()
        if credentials is None:
            return PlainTextResponse(
                "Apple signing is not configured: set PASSKIT_APPLE_CERT and PASSKIT_APPLE_KEY "
                "(or PASSKIT_APPLE_P12) before starting passkit serve",
                status_code=404,
            )
        p = state.sample(name).render()
        body = build_pkpass(p, credentials.signer(), now=datetime.now(UTC))
    except PasskitError as exc:
        return PlainTextResponse(str(exc), status_code=422)
    return Response(
        body,
        media_type="application/vnd.apple.pkpass",
        headers={"Content-Disposition": f'attachment; filename="{name}.pkpass"'},
    )


def google_link_page(state: PreviewState, name: str) -> Response:
    """A page with the Google save link of layout `name`'s sample pass (404 without Google
    signing configured)."""
    from passkit.batch.build_plan import GoogleCredentials
    from passkit.google import compile_google, save_link
    from passkit.google.publish import needs_class_notice

    try:
        credentials = GoogleCredentials.resolve()
        if credentials is None:
            return PlainTextResponse(
                "Google signing is not configured: set PASSKIT_GOOGLE_SERVICE_ACCOUNT and "
                "PASSKIT_GOOGLE_ISSUER_ID before starting passkit serve",
                status_code=404,
            )
        sample = state.sample(name)
        compiled = compile_google(
            sample.render(), issuer_id=credentials.issuer_id, options=sample.layout.google
        )
        link = save_link(
            compiled, credentials.account(), origins=credentials.origins, class_inserted=True
        )
    except PasskitError as exc:
        return PlainTextResponse(str(exc), status_code=422)
    if link.too_long is not None:
        # A link naming an object nobody inserted would not work: none is offered.
        return PlainTextResponse(
            f"no save link: {link.too_long}; shorten those, or build the pass with "
            "passkit build --google-insert",
            status_code=422,
        )
    needs = needs_class_notice(name, (link.class_id,), 1)
    return HTMLResponse(
        f'<!DOCTYPE html><meta charset="utf-8"><title>{escape(name)} save link</title>'
        f'<p><a id="save-link" href="{escape(link.url)}">Add to Google Wallet</a></p>'
        f'<p id="needs-class">{escape(needs[0].upper() + needs[1:])}.</p>'
        f"<textarea rows=6 cols=100 readonly>{escape(link.url)}</textarea>"
    )
