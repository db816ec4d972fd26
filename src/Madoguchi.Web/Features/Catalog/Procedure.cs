using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>オンライン化の実施状況, coded as in the national survey.</summary>
public enum OnlineStatus
{
    /// <summary>1 実施済 (municipal sheet: 済).</summary>
    Done = 1,
    /// <summary>2 未実施 (municipal sheet: 未).</summary>
    NotDone = 2,
    /// <summary>3 適用除外.</summary>
    Exempt = 3,
    /// <summary>4 その他.</summary>
    Other = 4,
}

/// <summary>How a plan fiscal year is bounded: "令和5年度まで" is OrEarlier, "2030年度以降" is OrLater.</summary>
public enum PlanYearBound { Exact, OrEarlier, OrLater }

/// <summary>Which layout a procedure came from; decides how eligibility and dates are read.</summary>
public enum InventoryLayout { Municipal, National }

/// <summary>A procedure of the inventory (手続棚卸), covering the national survey's columns.</summary>
public sealed class Procedure
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>手続ID as the municipality or the national survey numbers it.</summary>
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public InventoryLayout Layout { get; set; }
    public Guid? DepartmentId { get; set; }
    public Department? Department { get; set; }
    /// <summary>所管府省庁 (national layout).</summary>
    public string Ministry { get; set; } = "";
    public string LawName { get; set; } = "";
    public string LawArticle { get; set; } = "";
    /// <summary>手続類型: "申請", "届出" … or national codes such as "1 申請等".</summary>
    public string ProcedureType { get; set; } = "";
    /// <summary>手続主体 / 申請者区分 (個人, 事業者, "5 国民等" …).</summary>
    public string Actor { get; set; } = "";
    /// <summary>手続の受け手 (national layout).</summary>
    public string Recipient { get; set; } = "";
    /// <summary>事務区分 (national layout).</summary>
    public string AffairCategory { get; set; } = "";
    public bool OnlineEligible { get; set; }
    /// <summary>Why the procedure cannot go online (不可理由 / 懸念点).</summary>
    public string IneligibleReason { get; set; } = "";
    public OnlineStatus Status { get; set; } = OnlineStatus.NotDone;
    /// <summary>The day it went online; a month alone means its 1st day.</summary>
    public DateOnly? OnlineSince { get; set; }
    /// <summary>Western year in which the planned fiscal year starts.</summary>
    public int? PlanFiscalYear { get; set; }
    public PlanYearBound PlanYearBound { get; set; }
    /// <summary>オンライン化の実施予定及び検討時の懸念点 (national code, e.g. "0 オンライン化実施予定").</summary>
    public string PlanNote { get; set; } = "";
    /// <summary>LoGoフォーム, ぴったりサービス, 共同運営電子申請サービス, Madoguchi, その他 or empty.</summary>
    public string Tool { get; set; } = "";
    public bool? FeeRequired { get; set; }
    /// <summary>納付方法 codes joined by "; " (1-x offline, 2-x online).</summary>
    public string FeePaymentMethods { get; set; } = "";
    public string Attachments { get; set; } = "";
    public string IdentityVerification { get; set; } = "";
    /// <summary>
    /// Whether the law lets this procedure collect 個人番号 (番号法 別表); only then may its forms
    /// have a my-number field (DESIGN.md §3, personal data).
    /// </summary>
    public bool UsesMyNumber { get; set; }
    /// <summary>標準処理期間 in business days, when set.</summary>
    public int? StandardProcessingDays { get; set; }
    /// <summary>National columns that have no field of their own, kept so an export gives them back.</summary>
    public string ExtraJson { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<ProcedureVolume> Volumes { get; set; } = [];

    /// <summary>Online tools a procedure can use, in the order reports list them.</summary>
    public static readonly IReadOnlyList<string> KnownTools = ["LoGoフォーム", "ぴったりサービス", "共同運営電子申請サービス", "Madoguchi", "その他"];

    /// <summary>Personal life events of the national survey (手続が行われるイベント(個人)).</summary>
    public static readonly IReadOnlyList<string> PersonalLifeEvents =
        ["妊娠", "出生・こども", "引越し", "就職・転職", "結婚・離婚", "自動車の購入・保有", "住宅の購入・保有", "介護", "医療・健康", "税金", "年金の受給", "死亡・相続", "その他イベント(個人)"];

    /// <summary>The plan year as staff write it: 令和6年度, 令和5年度まで, 令和12年度以降; empty when unplanned.</summary>
    public string PlanYearLabel => PlanFiscalYear is int y ? Shared.Japanese.Wareki.FormatFiscalYear(y, PlanYearBound) : "";

    public List<ProcedureLifeEvent> LifeEvents { get; set; } = [];

    internal static void Configure(EntityTypeBuilder<Procedure> e)
    {
        e.Property(x => x.Code).HasMaxLength(64);
        e.HasIndex(x => x.Code).IsUnique();
        e.Property(x => x.Name).HasMaxLength(500);
        e.Property(x => x.Tool).HasMaxLength(100);
        e.HasIndex(x => new { x.PlanFiscalYear, x.Tool });
        e.HasIndex(x => x.DepartmentId);
        e.HasOne(x => x.Department).WithMany().OnDelete(DeleteBehavior.Restrict);
        e.Ignore(x => x.PlanYearLabel);
        e.HasMany(x => x.Volumes).WithOne().HasForeignKey(v => v.ProcedureId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(x => x.LifeEvents).WithOne().HasForeignKey(v => v.ProcedureId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Filings of a procedure in one fiscal year. Null means unknown, never zero.</summary>
public sealed class ProcedureVolume
{
    public Guid ProcedureId { get; set; }
    public int FiscalYear { get; set; }
    public int? Total { get; set; }
    public int? Online { get; set; }
    public int? NonOnline { get; set; }

    internal static void Configure(EntityTypeBuilder<ProcedureVolume> e) => e.HasKey(x => new { x.ProcedureId, x.FiscalYear });
}

public enum LifeEventKind { Personal, Corporate }

/// <summary>A life event (妊娠, 引越し …) in which residents or businesses meet the procedure.</summary>
public sealed class ProcedureLifeEvent
{
    public Guid ProcedureId { get; set; }
    public LifeEventKind Kind { get; set; }
    public string Event { get; set; } = "";

    internal static void Configure(EntityTypeBuilder<ProcedureLifeEvent> e)
    {
        e.HasKey(x => new { x.ProcedureId, x.Kind, x.Event });
        e.Property(x => x.Event).HasMaxLength(100);
        e.HasIndex(x => new { x.Kind, x.Event });
    }
}

/// <summary>One change of a procedure: who, when, from where, and each field's old and new value.</summary>
public sealed class ProcedureChange
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ProcedureId { get; set; }
    /// <summary>手続ID at the time of the change, so history can be found after a procedure is removed.</summary>
    public string ProcedureCode { get; set; } = "";
    public DateTimeOffset At { get; set; }
    /// <summary>The staff member's e-mail, or "cli" for a command run by an operator.</summary>
    public string Actor { get; set; } = "";
    /// <summary>"import: file.csv", "edit", "demo".</summary>
    public string Source { get; set; } = "";
    /// <summary>JSON array of {field, old, new}.</summary>
    public string ChangesJson { get; set; } = "[]";

    internal static void Configure(EntityTypeBuilder<ProcedureChange> e)
    {
        e.HasIndex(x => new { x.ProcedureId, x.At });
        e.HasIndex(x => x.ProcedureCode);
        e.Property(x => x.ProcedureCode).HasMaxLength(64);
        // No foreign key on purpose: the history of a procedure removed by `import --replace`
        // must outlive it, so who removed what stays answerable.
    }
}
