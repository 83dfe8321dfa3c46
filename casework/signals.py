"""Every create, update and delete of case data is audited, with field names, never values."""

from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from casework import audit, models

AUDITED = (
    models.Person,
    models.Nationality,
    models.Alias,
    models.IdentityDocument,
    models.Case,
    models.Recruitment,
    models.ControlMeans,
    models.Contact,
    models.Consent,
    models.EmbassyDisclosure,
    models.Note,
    models.Task,
    models.EmbassyRequest,
    models.EmbassyMessage,
    models.Document,
    # Family inquiries: the relative's details and the description of the person sought.
    models.Inquiry,
    models.InquiryName,
    models.InquiryIdentifier,
    models.InquiryDocument,
    models.InquiryNote,
    models.InquiryCandidate,
    models.ContactRequest,
    models.PersonIdentifier,
    # Custody and the way home.
    models.CustodyEvent,
    models.CustodyObligations,
    models.IcrcVisit,
    models.LegalProceeding,
    models.WayHome,
    models.ReturnListEntry,
    models.ReintegrationService,
    models.FollowUp,
)
SNAPSHOT = "_audit_snapshot"


def _values(instance):
    # Loaded fields only: reading a deferred field would cost a query per instance.
    loaded = instance.__dict__
    return {
        f.attname: loaded[f.attname] for f in instance._meta.concrete_fields if f.attname in loaded
    }


def _case_of(instance):
    """(reference, organisation id) of the case the instance belongs to, if any."""
    if isinstance(instance, models.Case):
        return instance.reference, instance.organisation_id
    if isinstance(instance, models.Person):
        return "", instance.organisation_id
    if isinstance(instance, models.Inquiry):
        return "", instance.organisation_id
    if isinstance(instance, models.ContactRequest):
        # Written in the log of the organisation holding the person asked about.
        return "", instance.to_organisation_id
    if hasattr(instance, "inquiry_id"):
        org = models.Inquiry.objects.filter(pk=instance.inquiry_id).values_list(
            "organisation_id", flat=True
        )
        return "", org.first()
    for path in ("case", "recruitment__case", "request__case", "person"):
        head = path.split("__")[0]
        if hasattr(instance, f"{head}_id"):
            model = instance._meta.get_field(head).related_model
            lookup = {"pk": getattr(instance, f"{head}_id")}
            if model is models.Person:
                org = model.objects.filter(**lookup).values_list("organisation_id", flat=True)
                return "", org.first()
            rest = path.split("__", 1)[1] + "__" if "__" in path else ""
            row = (
                model.objects.filter(**lookup)
                .values_list(f"{rest}reference", f"{rest}organisation_id")
                .first()
            )
            return row or ("", None)
    return "", None


def _record(action, instance, fields=()):
    actor, ip = audit.current_actor()
    reference, organisation_id = _case_of(instance)
    audit.record(
        action,
        actor=actor,
        actor_label="" if actor is not None and actor.is_authenticated else "system",
        organisation_id=organisation_id,
        obj=instance,
        case_reference=reference,
        fields=fields,
        ip_address=ip,
    )


def snapshot(sender, instance, **kwargs):
    setattr(instance, SNAPSHOT, _values(instance))


def audit_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        _record(audit.Action.CREATE, instance)
    else:
        before = getattr(instance, SNAPSHOT, {})
        after = _values(instance)
        changed = sorted(k for k, v in after.items() if k in before and before[k] != v)
        if changed:
            _record(audit.Action.UPDATE, instance, changed)
    setattr(instance, SNAPSHOT, _values(instance))


def audit_delete(sender, instance, **kwargs):
    _record(audit.Action.DELETE, instance)


def audit_collaborators(sender, instance, action, pk_set, **kwargs):
    # Who may open a case changed: as much an update of the case as any field.
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, models.Case):
        _record(audit.Action.UPDATE, instance, ["collaborators"])


m2m_changed.connect(
    audit_collaborators,
    sender=models.Case.collaborators.through,
    dispatch_uid="audit-case-collaborators",
)

for model in AUDITED:
    post_init.connect(snapshot, sender=model, dispatch_uid=f"audit-init-{model.__name__}")
    post_save.connect(audit_save, sender=model, dispatch_uid=f"audit-save-{model.__name__}")
    post_delete.connect(audit_delete, sender=model, dispatch_uid=f"audit-del-{model.__name__}")
