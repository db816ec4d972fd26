using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Funnel;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Features.Postcodes;
using Madoguchi.Web.Features.Protection;
using Madoguchi.Web.Features.Staff;
using Madoguchi.Web.Features.Submissions;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Madoguchi.Web.Data;

/// <summary>The one DbContext; pages and endpoints use it directly (see docs/adr/0002).</summary>
public sealed class MadoguchiDbContext(DbContextOptions<MadoguchiDbContext> options) : IdentityDbContext<StaffUser>(options)
{
    public DbSet<Municipality> Municipalities => Set<Municipality>();
    public DbSet<Department> Departments => Set<Department>();
    public DbSet<Office> Offices => Set<Office>();
    public DbSet<Closure> Closures => Set<Closure>();
    public DbSet<Procedure> Procedures => Set<Procedure>();
    public DbSet<ProcedureVolume> ProcedureVolumes => Set<ProcedureVolume>();
    public DbSet<ProcedureLifeEvent> ProcedureLifeEvents => Set<ProcedureLifeEvent>();
    public DbSet<ProcedureChange> ProcedureChanges => Set<ProcedureChange>();
    public DbSet<StaffSession> StaffSessions => Set<StaffSession>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Postcode> Postcodes => Set<Postcode>();
    public DbSet<Form> Forms => Set<Form>();
    public DbSet<FormVersion> FormVersions => Set<FormVersion>();
    public DbSet<ProtectedValue> ProtectedValues => Set<ProtectedValue>();
    public DbSet<ProtectionKey> ProtectionKeys => Set<ProtectionKey>();
    public DbSet<Submission> Submissions => Set<Submission>();
    public DbSet<Draft> Drafts => Set<Draft>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<FunnelEvent> FunnelEvents => Set<FunnelEvent>();
    public DbSet<Features.Intake.IntakeCounter> IntakeCounters => Set<Features.Intake.IntakeCounter>();
    public DbSet<Features.Intake.IntakeDraw> IntakeDraws => Set<Features.Intake.IntakeDraw>();
    public DbSet<Features.Designer.FormEdit> FormEdits => Set<Features.Designer.FormEdit>();
    public DbSet<Features.Cases.Case> Cases => Set<Features.Cases.Case>();
    public DbSet<Features.Cases.CaseEvent> CaseEvents => Set<Features.Cases.CaseEvent>();
    public DbSet<Features.Cases.CorrectionRequest> CorrectionRequests => Set<Features.Cases.CorrectionRequest>();
    public DbSet<Features.Cases.LedgerSettings> LedgerSettings => Set<Features.Cases.LedgerSettings>();
    public DbSet<Features.Cases.CaseTally> CaseTallies => Set<Features.Cases.CaseTally>();
    public DbSet<Features.Exports.ExportTemplate> ExportTemplates => Set<Features.Exports.ExportTemplate>();
    public DbSet<Features.Webhooks.WebhookEndpoint> WebhookEndpoints => Set<Features.Webhooks.WebhookEndpoint>();
    public DbSet<Features.Webhooks.WebhookDelivery> WebhookDeliveries => Set<Features.Webhooks.WebhookDelivery>();
    public DbSet<Features.Webhooks.WebhookAttempt> WebhookAttempts => Set<Features.Webhooks.WebhookAttempt>();
    public DbSet<Features.Queue.QueueSection> QueueSections => Set<Features.Queue.QueueSection>();
    public DbSet<Features.Queue.QueueService> QueueServices => Set<Features.Queue.QueueService>();
    public DbSet<Features.Queue.QueueCounter> QueueCounters => Set<Features.Queue.QueueCounter>();
    public DbSet<Features.Queue.CounterShift> CounterShifts => Set<Features.Queue.CounterShift>();
    public DbSet<Features.Queue.Ticket> Tickets => Set<Features.Queue.Ticket>();
    public DbSet<Features.Queue.TicketEvent> TicketEvents => Set<Features.Queue.TicketEvent>();
    public DbSet<Features.Queue.KioskDevice> KioskDevices => Set<Features.Queue.KioskDevice>();
    public DbSet<Features.Queue.Reservations.StaffingPlan> StaffingPlans => Set<Features.Queue.Reservations.StaffingPlan>();
    public DbSet<Features.Queue.Reservations.ReservationSlot> ReservationSlots => Set<Features.Queue.Reservations.ReservationSlot>();
    public DbSet<Features.Queue.Reservations.Reservation> Reservations => Set<Features.Queue.Reservations.Reservation>();
    public DbSet<Features.Queue.Waits.WaitEstimate> WaitEstimates => Set<Features.Queue.Waits.WaitEstimate>();
    public DbSet<Features.Queue.Waits.TurnAlert> TurnAlerts => Set<Features.Queue.Waits.TurnAlert>();
    public DbSet<Features.Exports.ExportSchedule> ExportSchedules => Set<Features.Exports.ExportSchedule>();
    public DbSet<Features.Exports.ExportRun> ExportRuns => Set<Features.Exports.ExportRun>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        Department.Configure(builder.Entity<Department>());
        Office.Configure(builder.Entity<Office>());
        Closure.Configure(builder.Entity<Closure>());
        Procedure.Configure(builder.Entity<Procedure>());
        ProcedureVolume.Configure(builder.Entity<ProcedureVolume>());
        ProcedureLifeEvent.Configure(builder.Entity<ProcedureLifeEvent>());
        ProcedureChange.Configure(builder.Entity<ProcedureChange>());
        StaffSession.Configure(builder.Entity<StaffSession>());
        ApiToken.Configure(builder.Entity<ApiToken>());
        Postcode.Configure(builder.Entity<Postcode>());
        Form.Configure(builder.Entity<Form>());
        FormVersion.Configure(builder.Entity<FormVersion>());
        ProtectedValue.Configure(builder.Entity<ProtectedValue>());
        ProtectionKey.Configure(builder.Entity<ProtectionKey>());
        Submission.Configure(builder.Entity<Submission>());
        Draft.Configure(builder.Entity<Draft>());
        Attachment.Configure(builder.Entity<Attachment>());
        StaffUser.Configure(builder.Entity<StaffUser>());
        AuditEntry.Configure(builder.Entity<AuditEntry>());
        FunnelEvent.Configure(builder.Entity<FunnelEvent>());
        Features.Intake.IntakeCounter.Configure(builder.Entity<Features.Intake.IntakeCounter>());
        Features.Intake.IntakeDraw.Configure(builder.Entity<Features.Intake.IntakeDraw>());
        Features.Designer.FormEdit.Configure(builder.Entity<Features.Designer.FormEdit>());
        Features.Cases.Case.Configure(builder.Entity<Features.Cases.Case>());
        Features.Cases.CaseEvent.Configure(builder.Entity<Features.Cases.CaseEvent>());
        Features.Cases.CorrectionRequest.Configure(builder.Entity<Features.Cases.CorrectionRequest>());
        Features.Cases.LedgerSettings.Configure(builder.Entity<Features.Cases.LedgerSettings>());
        Features.Cases.CaseTally.Configure(builder.Entity<Features.Cases.CaseTally>());
        Features.Exports.ExportTemplate.Configure(builder.Entity<Features.Exports.ExportTemplate>());
        Features.Webhooks.WebhookEndpoint.Configure(builder.Entity<Features.Webhooks.WebhookEndpoint>());
        Features.Webhooks.WebhookDelivery.Configure(builder.Entity<Features.Webhooks.WebhookDelivery>());
        Features.Webhooks.WebhookAttempt.Configure(builder.Entity<Features.Webhooks.WebhookAttempt>());
        Features.Queue.QueueSection.Configure(builder.Entity<Features.Queue.QueueSection>());
        Features.Queue.QueueService.Configure(builder.Entity<Features.Queue.QueueService>());
        Features.Queue.QueueCounter.Configure(builder.Entity<Features.Queue.QueueCounter>());
        Features.Queue.CounterShift.Configure(builder.Entity<Features.Queue.CounterShift>());
        Features.Queue.Ticket.Configure(builder.Entity<Features.Queue.Ticket>());
        Features.Queue.TicketEvent.Configure(builder.Entity<Features.Queue.TicketEvent>());
        Features.Queue.KioskDevice.Configure(builder.Entity<Features.Queue.KioskDevice>());
        Features.Queue.Reservations.StaffingPlan.Configure(builder.Entity<Features.Queue.Reservations.StaffingPlan>());
        Features.Queue.Reservations.ReservationSlot.Configure(builder.Entity<Features.Queue.Reservations.ReservationSlot>());
        Features.Queue.Reservations.Reservation.Configure(builder.Entity<Features.Queue.Reservations.Reservation>());
        Features.Queue.Waits.WaitEstimate.Configure(builder.Entity<Features.Queue.Waits.WaitEstimate>());
        Features.Queue.Waits.TurnAlert.Configure(builder.Entity<Features.Queue.Waits.TurnAlert>());
        Features.Exports.ExportSchedule.Configure(builder.Entity<Features.Exports.ExportSchedule>());
        Features.Exports.ExportRun.Configure(builder.Entity<Features.Exports.ExportRun>());
        builder.Entity<Municipality>().Property(x => x.Id).ValueGeneratedNever();

        // Instants are stored in UTC on both engines (shown in Japan time by the pages): SQLite cannot
        // order DateTimeOffset natively, so it gets UTC ticks; PostgreSQL's timestamptz only takes offset 0.
        ValueConverter converter = Database.IsSqlite()
            ? new UtcBinaryConverter()
            : new ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            foreach (var p in entity.GetProperties().Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
            {
                p.SetValueConverter(converter);
            }
        }
    }
}
