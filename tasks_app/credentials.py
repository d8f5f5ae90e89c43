"""API tokens follow their user's password: changing the password deletes the token.

DRF's tokens are stored as given (not hashed) and never expire, so a token copied before a
password change would otherwise keep working after it. Rotation was chosen over hashed tokens:
it closes that hole for every door that changes a password (admin, ``changepassword``, the
password-change views, code calling ``set_password``) without replacing DRF's token model, and the
database file holding tokens is private to the server's account (tasks_app.private_files).
"""
from rest_framework.authtoken.models import Token


def rotate_token_on_password_change(sender, instance, raw=False, **kwargs):
    """pre_save of the user model (connected in apps.py): a new password hash deletes the user's API token."""
    if raw or instance.pk is None:
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
