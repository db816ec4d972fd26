using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// Rewrites every stored instant that carries an offset (the low 11 bits of EF Core's binary
    /// layout) to the same instant at offset 0, as the app now writes them (Data/UtcBinaryConverter),
    /// so that the integers order as the instants do. A paper application keyed with an earlier 受付日
    /// was stored at 00:00 +09:00 and sorted nine hours late in the ledger. Ticks are kept in units of
    /// 1,000 (100 µs); a minute of offset is 600,000 of them. The audit trail is left alone: its rows
    /// cannot be updated (AuditAppendOnly) and are written from the clock at offset 0.
    /// </summary>
    public partial class NormalizeInstantsToUtc : Migration
    {
        // The instant columns of this model (DateTimeOffset in the app; the SQLite model here only
        // knows them as integers, so they are named).
        private static readonly Dictionary<string, string[]> Instants = new()
        {
            ["Cases"] = ["ClosedAt", "OpenedAt", "ReceivedAt", "UpdatedAt"],
            ["CaseEvents"] = ["At"],
            ["CorrectionRequests"] = ["AnsweredAt", "RequestedAt"],
            ["LedgerSettings"] = ["UpdatedAt"],
            ["Procedures"] = ["CreatedAt", "UpdatedAt"],
            ["ProcedureChanges"] = ["At"],
            ["FormEdits"] = ["At"],
            ["ExportRuns"] = ["FinishedAt", "StartedAt"],
            ["ExportSchedules"] = ["LeaseUntil", "RetryAfter", "UpdatedAt"],
            ["ExportTemplates"] = ["UploadedAt"],
            ["Forms"] = ["CreatedAt", "UnpublishedAt", "UpdatedAt"],
            ["FormVersions"] = ["PublishedAt"],
            ["FunnelEvents"] = ["At"],
            ["IntakeDraws"] = ["DrawnAt"],
            ["Municipalities"] = ["UpdatedAt"],
            ["ProtectedValues"] = ["CreatedAt"],
            ["ProtectionKeys"] = ["CreatedAt"],
            ["CounterShifts"] = ["AssignedAt"],
            ["KioskDevices"] = ["CreatedAt", "RevokedAt"],
            ["Reservations"] = ["BookedAt", "CancelledAt", "CheckedInAt", "ReleasedAt", "ReminderSentAt", "StartsAt"],
            ["ReservationSlots"] = ["StartsAt"],
            ["Tickets"] = ["ArrivedAt", "CalledAt", "QueuedAt", "ReturnsAt"],
            ["TicketEvents"] = ["At"],
            ["TurnAlerts"] = ["CreatedAt", "SentAt"],
            ["WaitEstimates"] = ["CalledAt", "IssuedAt"],
            ["ApiTokens"] = ["CreatedAt", "ExpiresAt", "LastUsedAt", "RevokedAt"],
            ["StaffSessions"] = ["CreatedAt", "EndedAt", "LastSeenAt"],
            ["AspNetUsers"] = ["LockoutEnd"],
            ["Attachments"] = ["UploadedAt"],
            ["Drafts"] = ["CreatedAt", "ExpiresAt", "UpdatedAt"],
            ["Submissions"] = ["SubmittedAt"],
            ["WebhookAttempts"] = ["At"],
            ["WebhookDeliveries"] = ["CompletedAt", "CreatedAt", "LeaseUntil", "NextAttemptAt", "RetryUntil"],
            ["WebhookEndpoints"] = ["CreatedAt", "DeactivatedAt"],
        };

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, columns) in Instants)
            {
                foreach (var column in columns)
                {
                    var offset = $"""(CASE WHEN ("{column}" & 1024) <> 0 THEN ("{column}" & 2047) - 2048 ELSE ("{column}" & 2047) END)""";
                    migrationBuilder.Sql($"""UPDATE "{table}" SET "{column}" = ((("{column}" >> 11) - {offset} * 600000) << 11) WHERE ("{column}" & 2047) <> 0;""");
                }
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to undo: an instant at offset 0 reads the same as before under either converter.
        }
    }
}
