from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .enums import EmailStatus


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScaleStep(models.Model):
    """One labelled step of a scale kept as data (ratings, review scores)."""

    value = models.PositiveSmallIntegerField(unique=True)
    label = models.CharField(max_length=40)
    descriptor = models.TextField()

    class Meta:
        abstract = True
        ordering = ["value"]

    def __str__(self):
        return self.label


class Theme(models.Model):
    """One of the Commitment's themes. Data, not an enum: the scheme has changed them before."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    commitment = models.TextField(help_text="What an organisation commits to under this theme.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ActivityLog(models.Model):
    """Who did what to which object, when, with the status it moved from and to."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    verb = models.CharField(max_length=60)
    from_status = models.CharField(max_length=40, blank=True)
    to_status = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self):
        return f"{self.verb} ({self.created_at:%Y-%m-%d %H:%M})"


class OutboundEmail(TimeStampedModel):
    """Every message the portal sends, with its delivery status."""

    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    template = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        max_length=12, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The Message-ID given at sending, so a bounce report can be matched to its message.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Small text attachments (e.g. a calendar file): [{"filename", "content_type", "content"}].
    attachments = models.JSONField(default=list, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
