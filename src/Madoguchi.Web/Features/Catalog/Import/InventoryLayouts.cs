using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Catalog.Import;

/// <summary>What a column of an inventory file means.</summary>
public enum InventoryField
{
    Code, Name, Bu, Ka, Kakari, Ministry, LawName, LawArticle, ProcedureType, Actor, Recipient, AffairCategory,
    Eligible, IneligibleReason, PlanFiscalYear, Tool, Status, OnlineSince, PlanNote, FeeRequired, FeePaymentMethods,
    Attachments, IdentityVerification, VolumeTotal, VolumeOnline, VolumeNonOnline, EventsPersonal, EventsCorporate,
    CommonProcedure,
    /// <summary>A national column without a field of its own, kept in <see cref="Procedure.ExtraJson"/>.</summary>
    Extra,
}

public sealed record InventoryColumn(string Header, InventoryField Field);

/// <summary>The two layouts an inventory comes in, and their columns in file order.</summary>
public static class InventoryLayouts
{
    public const string NationalTitle = "行政手続等の棚卸調査結果";

    /// <summary>Tools the municipal sheet may name in 利用ツール.</summary>
    public static readonly string[] Tools = ["LoGoフォーム", "ぴったりサービス", "共同運営電子申請サービス", "Madoguchi", "その他"];

    /// <summary>The municipal sheet as wards keep it (所管係 and the life-event columns are optional extras).</summary>
    public static readonly InventoryColumn[] Municipal =
    [
        new("手続ID", InventoryField.Code),
        new("手続名", InventoryField.Name),
        new("所管部", InventoryField.Bu),
        new("所管課", InventoryField.Ka),
        new("根拠法令", InventoryField.LawName),
        new("手続類型", InventoryField.ProcedureType),
        new("申請者区分", InventoryField.Actor),
        new("オンライン化可否", InventoryField.Eligible),
        new("不可理由", InventoryField.IneligibleReason),
        new("オンライン化予定年度", InventoryField.PlanFiscalYear),
        new("利用ツール", InventoryField.Tool),
        new("オンライン化状況", InventoryField.Status),
        new("オンライン化年月", InventoryField.OnlineSince),
        new("年間申請件数", InventoryField.VolumeTotal),
        new("うちオンライン申請件数", InventoryField.VolumeOnline),
    ];

    /// <summary>Columns a municipal sheet may add; they are read when present and never written unless asked.</summary>
    public static readonly InventoryColumn[] MunicipalOptional =
    [
        new("所管係", InventoryField.Kakari),
        new("ライフイベント(個人)", InventoryField.EventsPersonal),
        new("ライフイベント(法人)", InventoryField.EventsCorporate),
        new("手続が行われるイベント(個人)", InventoryField.EventsPersonal),
        new("手続が行われるイベント(法人)", InventoryField.EventsCorporate),
    ];

    public static readonly InventoryField[] MunicipalRequired =
        [InventoryField.Code, InventoryField.Name, InventoryField.Bu, InventoryField.Ka, InventoryField.Eligible, InventoryField.Status];

    /// <summary>The 46 columns of the national survey (令和7年度), in order.</summary>
    public static readonly InventoryColumn[] National =
    [
        new("手続ID", InventoryField.Code),
        new("所管府省庁", InventoryField.Ministry),
        new("手続名", InventoryField.Name),
        new("法令名", InventoryField.LawName),
        new("根拠条項号", InventoryField.LawArticle),
        new("関連条項号", InventoryField.Extra),
        new("関連する根拠法令", InventoryField.Extra),
        new("手続類型", InventoryField.ProcedureType),
        new("手続主体", InventoryField.Actor),
        new("手続の受け手", InventoryField.Recipient),
        new("手続(類型、主体、受け手等)に関する補足", InventoryField.Extra),
        new("経由機関", InventoryField.Extra),
        new("独立行政法人等の名称", InventoryField.Extra),
        new("事務区分", InventoryField.AffairCategory),
        new("府省共通手続", InventoryField.CommonProcedure),
        new("実施府省庁", InventoryField.Extra),
        new("実施府省庁(府省共通手続)", InventoryField.Extra),
        new("オンライン化の実施状況", InventoryField.Status),
        new("オンライン化の実施予定及び検討時の懸念点", InventoryField.PlanNote),
        new("オンライン化の実施状況に関する補足", InventoryField.Extra),
        new("オンライン化実施時期", InventoryField.PlanFiscalYear),
        new("申請等における本人確認手法", InventoryField.IdentityVerification),
        new("手数料等の納付有無", InventoryField.FeeRequired),
        new("手数料等の納付方法", InventoryField.FeePaymentMethods),
        new("手数料等に関する補足", InventoryField.Extra),
        new("手数料等のオンライン納付時の優遇措置", InventoryField.Extra),
        new("処理期間(オンライン)", InventoryField.Extra),
        new("処理期間(非オンライン)", InventoryField.Extra),
        new("情報システム(申請)", InventoryField.Extra),
        new("情報システム（申請）複数ある場合", InventoryField.Extra),
        new("情報システム(事務処理)", InventoryField.Extra),
        new("総手続件数", InventoryField.VolumeTotal),
        new("オンライン手続件数", InventoryField.VolumeOnline),
        new("非オンライン手続件数", InventoryField.VolumeNonOnline),
        new("申請書等に記載させる情報", InventoryField.Extra),
        new("申請時に添付させる書類", InventoryField.Attachments),
        new("添付書類等提出の撤廃/省略状況", InventoryField.Extra),
        new("添付書類等の提出方法", InventoryField.Extra),
        new("添付書類等への電子署名", InventoryField.Extra),
        new("添付形式等が定められた規定", InventoryField.Extra),
        new("添付書類等に関する補足", InventoryField.Extra),
        new("手続が行われるイベント(個人)", InventoryField.EventsPersonal),
        new("手続が行われるイベント(法人)", InventoryField.EventsCorporate),
        new("申請に関連する士業", InventoryField.Extra),
        new("申請を提出する機関", InventoryField.Extra),
        new("士業、機関に関する補足", InventoryField.Extra),
    ];

    public static readonly InventoryField[] NationalRequired = [InventoryField.Code, InventoryField.Name, InventoryField.Status];

    /// <summary>Headers compare after NFKC without spaces, so "手続ＩＤ" and "（申請）" match.</summary>
    public static string HeaderKey(string header) => TextNormalizer.Compact(header);

    /// <summary>Which layout a header row belongs to, or null when it is neither.</summary>
    public static InventoryLayout? Detect(IReadOnlyList<string> headerRow)
    {
        var keys = headerRow.Select(HeaderKey).ToHashSet(StringComparer.Ordinal);
        if (!keys.Contains("手続ID")) return null;
        if (keys.Contains(HeaderKey("オンライン化の実施状況"))) return InventoryLayout.National;
        if (keys.Contains(HeaderKey("オンライン化可否")) || keys.Contains(HeaderKey("所管課"))) return InventoryLayout.Municipal;
        return null;
    }

    public static InventoryColumn[] Columns(InventoryLayout layout) => layout == InventoryLayout.National ? National : Municipal;

    public static IEnumerable<InventoryColumn> Accepted(InventoryLayout layout)
        => layout == InventoryLayout.National ? National : [.. Municipal, .. MunicipalOptional];

    public static InventoryField[] Required(InventoryLayout layout) => layout == InventoryLayout.National ? NationalRequired : MunicipalRequired;

    /// <summary>National status codes (オンライン化の実施状況) as written in the survey.</summary>
    public static string StatusLabel(OnlineStatus s) => s switch
    {
        OnlineStatus.Done => "1 実施済",
        OnlineStatus.NotDone => "2 未実施",
        OnlineStatus.Exempt => "3 適用除外",
        _ => "4 その他",
    };

    /// <summary>オンライン化実施時期: code 1 is FY2024 … code 7 is "2030年度以降".</summary>
    public static string PlanLabel(int? year, PlanYearBound bound)
    {
        if (year is not int y) return "";
        if (y == 2030 && bound == PlanYearBound.OrLater) return "7 2030年度以降";
        if (y is >= 2024 and <= 2029 && bound == PlanYearBound.Exact) return $"{y - 2023} {y}年度";
        return bound switch { PlanYearBound.OrEarlier => $"{y}年度まで", PlanYearBound.OrLater => $"{y}年度以降", _ => $"{y}年度" };
    }

    public static string FeeLabel(bool? required) => required switch { true => "2 手数料等有り", false => "1 手数料等無し", null => "" };
}
