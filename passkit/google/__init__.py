"""Google Wallet: classes and objects compiled from a `Pass`, signed save links, a REST client.

account = ServiceAccount.from_file("service-account.json")
gp = compile_google(p, issuer_id="3388000000012345678", options=layout.google)
link = save_link(gp, account)          # link.url, or link.skinny + link.notice
WalletClient(account).upsert(gp)        # when the link is skinny: insert first
"""

from passkit.google.compile import GooglePass, compile_google
from passkit.google.credentials import ServiceAccount
from passkit.google.kinds import KINDS, GoogleKind
from passkit.google.links import DecodedSaveLink, SaveLink, read_save_link, save_link
from passkit.google.options import GoogleOptions
from passkit.google.rest import WalletClient

__all__ = [
    "KINDS",
    "DecodedSaveLink",
    "GoogleKind",
    "GoogleOptions",
    "GooglePass",
    "SaveLink",
    "ServiceAccount",
    "WalletClient",
    "compile_google",
    "read_save_link",
    "save_link",
]
