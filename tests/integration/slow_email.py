"""The file backend, but slow: a worker can be killed while it is sending."""

import time

from django.core.mail.backends.filebased import EmailBackend


class Backend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(0.4)
        return super().send_messages(email_messages)
