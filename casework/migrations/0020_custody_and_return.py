"""Custody and the way home (issue 13): custody events and status, obligations, ICRC
visits, legal proceedings (replacing the yes/no flag), the way home, services and
follow-ups."""

import casework.crypto
import django.db.models.deletion
import django.utils.timezone
import django_countries.fields
from django.conf import settings
from django.db import migrations, models


def proceedings_from_flag(apps, schema_editor):
    """A case flagged "legal proceedings" gets one proceeding, recorded before
    proceedings were tracked: nothing else is known of it (no encrypted field is set)."""
    Case = apps.get_model("casework", "Case")
    LegalProceeding = apps.get_model("casework", "LegalProceeding")
    flagged = Case.objects.filter(legal_proceedings=True).values_list("pk", flat=True)
    LegalProceeding.objects.bulk_create(
        (
            LegalProceeding(case_id=pk, recorded_before_tracking=True, notes=None)
            for pk in flagged.iterator()
        ),
        batch_size=5000,
    )


def flag_from_proceedings(apps, schema_editor):
    Case = apps.get_model("casework", "Case")
    LegalProceeding = apps.get_model("casework", "LegalProceeding")
    with_proceedings = LegalProceeding.objects.values("case_id")
    Case.objects.filter(pk__in=with_proceedings).update(legal_proceedings=True)


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0019_name_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='custody_status',
            field=models.CharField(blank=True, choices=[('captured', 'Captured'), ('held_at', 'Held'), ('transferred', 'Transferred'), ('hospitalised', 'Hospitalised'), ('released', 'Released'), ('exchanged', 'Exchanged'), ('repatriated', 'Repatriated'), ('died', 'Died in custody')], db_default='', default='', editable=False, max_length=20, verbose_name='custody status'),
        ),
        migrations.AlterField(
            model_name='note',
            name='kind',
            field=models.CharField(choices=[('call', 'Call'), ('visit', 'Visit'), ('message', 'Message'), ('meeting', 'Meeting'), ('document', 'Document'), ('status_change', 'Status change'), ('assignment', 'Assignment'), ('consent', 'Consent change'), ('embassy', 'Embassy exchange'), ('escalation', 'Escalation'), ('details_updated', 'Details updated'), ('custody', 'Custody and return')], max_length=20, verbose_name='kind'),
        ),
        migrations.CreateModel(
            name='CustodyObligations',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('capture_card_sent_on', models.DateField(blank=True, null=True, verbose_name='capture card sent')),
                ('capture_card_received_on', models.DateField(blank=True, null=True, verbose_name='capture card received by the family')),
                ('icrc_registered_on', models.DateField(blank=True, null=True, verbose_name='ICRC registration')),
                ('icrc_reference', casework.crypto.EncryptedTextField(blank=True, null=True, verbose_name='ICRC reference')),
                ('power_notified_on', models.DateField(blank=True, null=True, verbose_name='power of origin notified')),
                ('consular_access_requested_on', models.DateField(blank=True, null=True, verbose_name='consular access requested')),
                ('consular_access_granted_on', models.DateField(blank=True, null=True, verbose_name='consular access granted')),
                ('dependent_power', django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='power on which he depends')),
                ('dependent_power_confirmation', models.CharField(blank=True, choices=[('stated', 'Stated by the person'), ('documents_seen', 'Documents seen'), ('embassy_confirmed', 'Confirmed by the embassy')], max_length=20, verbose_name='how the power is known')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='custody_obligations', to='casework.case')),
            ],
            options={
                'verbose_name': 'custody obligations',
                'verbose_name_plural': 'custody obligations',
            },
        ),
        migrations.CreateModel(
            name='WayHome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('travel_documents', models.CharField(blank=True, max_length=200, verbose_name='travel documents')),
                ('travel_documents_issued_on', models.DateField(blank=True, null=True, verbose_name='travel documents issued')),
                ('travel_on', models.DateField(blank=True, null=True, verbose_name='travel date')),
                ('arrived_on', models.DateField(blank=True, null=True, verbose_name='arrival home')),
                ('handed_over_on', models.DateField(blank=True, null=True, verbose_name='handover')),
                ('handed_over_to', models.CharField(blank=True, max_length=200, verbose_name='handed over to')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='way_home', to='casework.case')),
                ('nationality_request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='casework.embassyrequest', verbose_name='nationality confirmation requested')),
            ],
            options={
                'verbose_name': 'way home',
                'verbose_name_plural': 'ways home',
            },
        ),
        migrations.CreateModel(
            name='CustodyEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('captured', 'Captured'), ('held_at', 'Held'), ('transferred', 'Transferred'), ('hospitalised', 'Hospitalised'), ('released', 'Released'), ('exchanged', 'Exchanged'), ('repatriated', 'Repatriated'), ('died', 'Died in custody')], max_length=20, verbose_name='what happened')),
                ('occurred_on', models.DateField(verbose_name='date')),
                ('place', models.CharField(blank=True, max_length=200, verbose_name='place')),
                ('authority', models.CharField(blank=True, max_length=200, verbose_name='by whom, or detaining authority')),
                ('facility', casework.crypto.EncryptedTextField(blank=True, null=True, verbose_name='facility')),
                ('source', casework.crypto.EncryptedTextField(blank=True, null=True, verbose_name='source (who told us)')),
                ('source_reliability', models.CharField(choices=[('confirmed', 'Confirmed by a document or an official source'), ('reliable', 'Reliable source, not confirmed'), ('unconfirmed', 'Unconfirmed'), ('unknown', 'Reliability unknown')], default='unknown', max_length=12, verbose_name='reliability of the source')),
                ('notes', casework.crypto.EncryptedTextField(blank=True, null=True, verbose_name='notes')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='custody_events', to='casework.case')),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='casework.document', verbose_name='document')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'custody event',
                'verbose_name_plural': 'custody events',
                'indexes': [models.Index(fields=['case', '-occurred_on'], name='casework_cu_case_id_83e6a2_idx')],
            },
        ),
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('months', models.PositiveSmallIntegerField(choices=[(3, 3), (6, 6), (12, 12)], verbose_name='months after return')),
                ('due_on', models.DateField(verbose_name='due')),
                ('done_on', models.DateField(blank=True, null=True, verbose_name='done')),
                ('note', casework.crypto.EncryptedTextField(blank=True, null=True, verbose_name='note')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='casework.case')),
            ],
            options={
                'verbose_name': 'follow-up check-in',
                'verbose_name_plural': 'follow-up check-ins',
                'indexes': [models.Index(condition=models.Q(('done_on__isnull', True)), fields=['due_on'], name='follow_up_due')],
                'constraints': [models.UniqueConstraint(fields=('case', 'months'), name='one_follow_up_per_interval')],
            },
        ),
        migrations.CreateModel(
            name='IcrcVisit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('visited_on', models.DateField(verbose_name='date of the visit')),
                ('notes', casework.crypto.EncryptedTextField(blank=True, null=True, verbose_name='notes')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='icrc_visits', to='casework.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'ICRC visit',
                'verbose_name_plural': 'ICRC visits',
                'indexes': [models.Index(fields=['case', '-visited_on'], name='casework_ic_case_id_34f176_idx')],
            },
        ),
        migrations.CreateModel(
            name='LegalProceeding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('charge', models.CharField(blank=True, max_length=300, verbose_name='charge')),
                ('court', models.CharField(blank=True, max_length=200, verbose_name='court')),
                ('next_hearing_on', models.DateField(blank=True, null=True, verbose_name='next hearing')),
                ('lawyer', models.CharField(blank=True, max_length=200, verbose_name='lawyer')),
                ('outcome', models.CharField(choices=[('pending', 'Pending'), ('convicted', 'Convicted'), ('acquitted', 'Acquitted'), ('dropped', 'Charges dropped'), ('pardoned', 'Pardoned or amnestied'), ('other', 'Other')], default='pending', max_length=12, verbose_name='outcome')),
                ('notes', casework.crypto.EncryptedTextField(blank=True, null=True, verbose_name='notes')),
                ('recorded_before_tracking', models.BooleanField(default=False, editable=False)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='proceedings', to='casework.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'legal proceeding',
                'verbose_name_plural': 'legal proceedings',
                'indexes': [models.Index(fields=['case'], name='casework_le_case_id_77ffb8_idx'), models.Index(condition=models.Q(('outcome', 'pending')), fields=['next_hearing_on'], name='proceeding_pending_hearing')],
            },
        ),
        migrations.CreateModel(
            name='ReintegrationService',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('legal', 'Legal'), ('consular', 'Consular'), ('medical', 'Medical'), ('psychosocial', 'Psychosocial'), ('travel', 'Travel'), ('livelihood', 'Livelihood'), ('recruiter_debt', 'Debt to a recruiter')], max_length=20, verbose_name='service')),
                ('provider', models.CharField(blank=True, max_length=200, verbose_name='provider')),
                ('started_on', models.DateField(blank=True, null=True, verbose_name='started')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='ended')),
                ('outcome', models.CharField(choices=[('in_progress', 'In progress'), ('completed', 'Completed'), ('discontinued', 'Discontinued'), ('declined', 'Declined by the person')], default='in_progress', max_length=12, verbose_name='outcome')),
                ('notes', casework.crypto.EncryptedTextField(blank=True, null=True, verbose_name='notes')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='services', to='casework.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'reintegration service',
                'verbose_name_plural': 'reintegration services',
                'indexes': [models.Index(fields=['case', 'kind'], name='casework_re_case_id_c79589_idx')],
            },
        ),
        migrations.CreateModel(
            name='ReturnListEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('list_kind', models.CharField(choices=[('exchange', 'Exchange list'), ('repatriation', 'Repatriation list')], max_length=12, verbose_name='list')),
                ('list_name', models.CharField(blank=True, max_length=200, verbose_name='which list')),
                ('listed_on', models.DateField(verbose_name='listed on')),
                ('listed_by', models.CharField(blank=True, max_length=200, verbose_name='listed by')),
                ('last_news_on', models.DateField(blank=True, null=True, verbose_name='latest news')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='return_list_entries', to='casework.case')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'exchange or repatriation list entry',
                'verbose_name_plural': 'exchange or repatriation list entries',
                'indexes': [models.Index(fields=['case', '-listed_on'], name='casework_re_case_id_292f8a_idx')],
            },
        ),
        migrations.RunPython(proceedings_from_flag, flag_from_proceedings),
        migrations.RemoveField(
            model_name='case',
            name='legal_proceedings',
        ),
    ]
