using System.Globalization;
using System.Text.Json;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>
/// Records what changed in a procedure, field by field, for its history page. Callers take a
/// <see cref="Snapshot"/> before changing the entity and call <see cref="Diff"/> after.
/// </summary>
public static class ProcedureHistory
{
    public sealed record FieldChange(string Field, string? Old, string? New);

    /// <summary>The fields staff see in the history, with their Japanese labels.</summary>
    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        ["Code"] = "手続ID",
        ["Name"] = "手続名",
        ["Department"] = "所管部・課・係",
        ["Ministry"] = "所管府省庁",
        ["LawName"] = "法令名",
        ["LawArticle"] = "根拠条項号",
        ["ProcedureType"] = "手続類型",
        ["Actor"] = "手続主体",
        ["Recipient"] = "手続の受け手",
        ["AffairCategory"] = "事務区分",
        ["OnlineEligible"] = "オンライン化可否",
        ["IneligibleReason"] = "不可理由",
        ["Status"] = "オンライン化状況",
        ["OnlineSince"] = "オンライン化年月日",
        ["PlanFiscalYear"] = "オンライン化予定年度",
        ["PlanNote"] = "実施予定・懸念点",
        ["Tool"] = "利用ツール",
        ["FeeRequired"] = "手数料等の納付有無",
        ["FeePaymentMethods"] = "納付方法",
        ["Attachments"] = "添付書類",
        ["IdentityVerification"] = "本人確認手法",
        ["UsesMyNumber"] = "個人番号の利用",
        ["StandardProcessingDays"] = "標準処理期間（日）",
        ["LifeEvents"] = "ライフイベント",
        ["Volumes"] = "手続件数",
        ["Extra"] = "その他の項目",
        ["Deleted"] = "削除",
    };

    /// <summary>The values of every tracked field as text, in a stable order.</summary>
    public static Dictionary<string, string?> Snapshot(Procedure p) => new()
    {
        ["Code"] = p.Code,
        ["Name"] = p.Name,
        ["Department"] = p.Department?.DisplayName ?? (p.DepartmentId?.ToString()),
        ["Ministry"] = p.Ministry,
        ["LawName"] = p.LawName,
        ["LawArticle"] = p.LawArticle,
        ["ProcedureType"] = p.ProcedureType,
        ["Actor"] = p.Actor,
        ["Recipient"] = p.Recipient,
        ["AffairCategory"] = p.AffairCategory,
        ["OnlineEligible"] = p.OnlineEligible ? "可" : "不可",
        ["IneligibleReason"] = p.IneligibleReason,
        ["Status"] = p.Status.ToString(),
        ["OnlineSince"] = p.OnlineSince?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["PlanFiscalYear"] = p.PlanFiscalYear is int y ? $"{y}{(p.PlanYearBound == PlanYearBound.OrEarlier ? "まで" : p.PlanYearBound == PlanYearBound.OrLater ? "以降" : "")}" : null,
        ["PlanNote"] = p.PlanNote,
        ["Tool"] = p.Tool,
        ["FeeRequired"] = p.FeeRequired switch { true => "有", false => "無", null => null },
        ["FeePaymentMethods"] = p.FeePaymentMethods,
        ["Attachments"] = p.Attachments,
        ["IdentityVerification"] = p.IdentityVerification,
        // Null when off, so imports of ordinary procedures add no history line for it.
        ["UsesMyNumber"] = p.UsesMyNumber ? "利用する" : null,
        ["StandardProcessingDays"] = p.StandardProcessingDays?.ToString(CultureInfo.InvariantCulture),
        ["LifeEvents"] = string.Join("; ", p.LifeEvents.OrderBy(e => e.Kind).ThenBy(e => e.Event, StringComparer.Ordinal).Select(e => $"{(e.Kind == LifeEventKind.Personal ? "個人" : "法人")}:{e.Event}")),
        ["Volumes"] = string.Join("; ", p.Volumes.OrderBy(v => v.FiscalYear).Select(v => $"{v.FiscalYear}年度 総{v.Total?.ToString(CultureInfo.InvariantCulture) ?? "-"}/オンライン{v.Online?.ToString(CultureInfo.InvariantCulture) ?? "-"}/非オンライン{v.NonOnline?.ToString(CultureInfo.InvariantCulture) ?? "-"}")),
        ["Extra"] = p.ExtraJson == "{}" ? "" : p.ExtraJson,
    };

    public static List<FieldChange> Diff(IReadOnlyDictionary<string, string?> before, IReadOnlyDictionary<string, string?> after)
    {
        var changes = new List<FieldChange>();
        foreach (var (field, newValue) in after)
        {
            before.TryGetValue(field, out var oldValue);
            if (!string.Equals(Blank(oldValue), Blank(newValue), StringComparison.Ordinal))
            {
                changes.Add(new FieldChange(field, Blank(oldValue), Blank(newValue)));
            }
        }
        return changes;
    }

    /// <summary>A history entry for the changes, or null when nothing changed.</summary>
    public static ProcedureChange? Entry(Guid procedureId, string procedureCode, IReadOnlyList<FieldChange> changes, string actor, string source, DateTimeOffset at)
        => changes.Count == 0 ? null : new ProcedureChange
        {
            ProcedureId = procedureId,
            ProcedureCode = procedureCode,
            At = at,
            Actor = actor,
            Source = source,
            ChangesJson = JsonSerializer.Serialize(changes, JsonOptions),
        };

    /// <summary>
    /// Adds the history entry for what changed since <paramref name="before"/> and stamps the procedure;
    /// returns false (and adds nothing) when nothing changed. The caller saves.
    /// </summary>
    public static bool Record(Data.MadoguchiDbContext db, Procedure p, IReadOnlyDictionary<string, string?> before, string actor, string source, DateTimeOffset now)
    {
        var entry = Entry(p.Id, p.Code, Diff(before, Snapshot(p)), actor, source, now);
        if (entry is null) return false;
        p.UpdatedAt = now;
        db.ProcedureChanges.Add(entry);
        return true;
    }

    /// <summary>
    /// A recorded value as staff read it. The status is stored by its code name so that entries stay
    /// comparable whatever the wording; staff see the inventory's 済/未 wording.
    /// </summary>
    public static string? Display(string field, string? value) => field == "Status" && Enum.TryParse<OnlineStatus>(value, out var status)
        ? status switch
        {
            OnlineStatus.Done => "済",
            OnlineStatus.NotDone => "未",
            OnlineStatus.Exempt => "適用除外",
            _ => "その他",
        }
        : value;

    public static IReadOnlyList<FieldChange> Read(ProcedureChange change)
        => JsonSerializer.Deserialize<List<FieldChange>>(change.ChangesJson, JsonOptions) ?? [];

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string? Blank(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
