"""StatsExport and StatisticsFact, moved from the casework app: their tables exist
already (casework migrations 0007 and 0009), so only Django's state changes."""

import casework.models
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0004_invitation_outbox'),
        ('casework', '0017_statistics_models_moved_to_stats'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StatisticsFact',
                    fields=[
                        ('case', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='casework.case')),
                        ('created_at', models.DateTimeField()),
                        ('eligible', models.BooleanField()),
                        ('nationality', models.CharField(max_length=2, null=True)),
                        ('sex', models.CharField(max_length=10, null=True)),
                        ('age_band', models.CharField(max_length=8, null=True)),
                        ('situation', models.CharField(max_length=30, null=True)),
                        ('status', models.CharField(max_length=30, null=True)),
                        ('recruitment_method', models.CharField(max_length=30, null=True)),
                        ('platform', models.CharField(max_length=20, null=True)),
                        ('promised_job', models.CharField(max_length=20, null=True)),
                        ('means_of_control', models.IntegerField()),
                        ('recruitment_month', models.DateField(null=True)),
                        ('capture_month', models.DateField(null=True)),
                        ('organisation', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organisation')),
                    ],
                    options={
                        'db_table': 'casework_statisticsfact',
                        'indexes': [models.Index(fields=['organisation', 'created_at'], name='statsfact_scope')],
                    },
                ),
                migrations.CreateModel(
                    name='StatsExport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'XLSX'), ('json', 'JSON'), ('microdata', 'Record-level CSV (k-anonymous)')], max_length=10, verbose_name='format')),
                        ('parameters', models.JSONField(default=dict)),
                        ('state', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('progress', models.PositiveSmallIntegerField(default=0)),
                        ('file', models.FileField(blank=True, max_length=200, upload_to=casework.models.private_export_name)),
                        ('sha256', models.CharField(blank=True, max_length=64)),
                        ('row_count', models.PositiveIntegerField(default=0)),
                        ('error', models.CharField(blank=True, max_length=300)),
                        ('token', models.CharField(default=casework.models.secrets_token, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('queued_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organisation')),
                        ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'statistics export',
                        'verbose_name_plural': 'statistics exports',
                        'db_table': 'casework_statsexport',
                        'indexes': [models.Index(fields=['requested_by', '-created_at'], name='casework_st_request_565eb7_idx')],
                    },
                ),
                ],
            database_operations=[],
        ),
    ]
