using System.Globalization;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Catalog.Import;

/// <summary>One data row, validated and converted; only the columns the file has are applied.</summary>
internal sealed class ParsedRow
{
    public int Row { get; init; }
    public string Code { get; set; } = "";
    /// <summary>The scalar values, in a detached Procedure used as a container.</summary>
    public Procedure Values { get; } = new();
    public string Bu { get; set; } = "";
    public string Ka { get; set; } = "";
    public string Kakari { get; set; } = "";
    public int? Total { get; set; }
    public int? Online { get; set; }
    public int? NonOnline { get; set; }
    public List<string> EventsPersonal { get; } = [];
    public List<string> EventsCorporate { get; } = [];
    /// <summary>Non-empty values of the extra columns, by their canonical header.</summary>
    public Dictionary<string, string> Extras { get; } = new(StringComparer.Ordinal);
}

/// <summary>The columns a file has, mapped to fields, and the rules that check each value.</summary>
internal sealed class InventoryRowParser
{
    private readonly InventoryLayout _layout;
    private readonly (int Index, InventoryColumn Column)[] _columns;
    private readonly int _headerWidth;

    public HashSet<InventoryField> Present { get; } = [];
    /// <summary>Canonical headers of the extra columns the file has.</summary>
    public List<string> ExtraHeaders { get; } = [];
    public InventoryLayout Layout => _layout;

    private InventoryRowParser(InventoryLayout layout, (int, InventoryColumn)[] columns, int headerWidth)
    {
        _layout = layout;
        _columns = columns;
        _headerWidth = headerWidth;
        foreach (var (_, c) in columns)
        {
            Present.Add(c.Field);
            if (c.Field is InventoryField.Extra or InventoryField.CommonProcedure) ExtraHeaders.Add(c.Header);
        }
    }

    /// <summary>Maps the header row; unknown, repeated or missing columns are errors (silently dropping data is worse).</summary>
    public static InventoryRowParser? Create(InventoryLayout layout, string[] header, List<ImportError> errors)
    {
        var accepted = InventoryLayouts.Accepted(layout).GroupBy(c => InventoryLayouts.HeaderKey(c.Header)).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var columns = new List<(int, InventoryColumn)>();
        var seen = new Dictionary<InventoryField, string>();
        var seenHeaders = new HashSet<string>(StringComparer.Ordinal);
        var width = header.Length;
        while (width > 0 && string.IsNullOrWhiteSpace(header[width - 1])) width--;
        for (var i = 0; i < width; i++)
        {
            var key = InventoryLayouts.HeaderKey(header[i]);
            var letter = ColumnLetter(i);
            if (key.Length == 0)
            {
                errors.Add(new ImportError(0, letter, "", $"{letter}列の見出しが空です。見出しを付けるか、列を削除してください。"));
                continue;
            }
            if (!accepted.TryGetValue(key, out var column))
            {
                var expected = layout == InventoryLayout.National ? "全国の棚卸調査の46列" : string.Join("、", InventoryLayouts.Municipal.Select(c => c.Header));
                errors.Add(new ImportError(0, header[i].Trim(), header[i].Trim(), $"不明な列です。データを黙って捨てないよう取込を止めました。列名を確認するか、列を削除してください（使える列: {expected}）。"));
                continue;
            }
            if (!seenHeaders.Add(key) || (column.Field != InventoryField.Extra && column.Field != InventoryField.CommonProcedure && seen.ContainsKey(column.Field)))
            {
                errors.Add(new ImportError(0, column.Header, header[i].Trim(), "同じ意味の列が2つあります。どちらか一方にしてください。"));
                continue;
            }
            seen[column.Field] = column.Header;
            columns.Add((i, column));
        }
        foreach (var required in InventoryLayouts.Required(layout).Where(f => !seen.ContainsKey(f)))
        {
            var name = InventoryLayouts.Columns(layout).First(c => c.Field == required).Header;
            errors.Add(new ImportError(0, name, "", $"必須の列「{name}」がありません。見出し行に追加してください。"));
        }
        return errors.Count == 0 ? new InventoryRowParser(layout, [.. columns], width) : null;
    }

    public static string ColumnLetter(int index)
    {
        var s = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) s = (char)('A' + ((n - 1) % 26)) + s;
        return s;
    }

    public static bool IsBlank(string[] cells) => cells.All(string.IsNullOrWhiteSpace);

    /// <summary>Reads one data row; every problem is added to <paramref name="errors"/>.</summary>
    public ParsedRow Parse(int row, string[] cells, List<ImportError> errors)
    {
        var r = new ParsedRow { Row = row };
        var p = r.Values;
        p.Layout = _layout;
        void Error(string column, string value, string reason) => errors.Add(new ImportError(row, column, value, reason));

        for (var i = _headerWidth; i < cells.Length; i++)
        {
            if (!string.IsNullOrWhiteSpace(cells[i])) Error(ColumnLetter(i) + "列", cells[i], "見出しのない列に値があります。見出しを付けるか、値を削除してください。");
        }
        string? eligibleRaw = null, statusRaw = null;
        foreach (var (index, column) in _columns)
        {
            var raw = Unneutralize(index < cells.Length ? cells[index] : "");
            var h = column.Header;
            var text = TextNormalizer.Squeeze(raw);
            var norm = TextNormalizer.Normalize(raw);
            switch (column.Field)
            {
                case InventoryField.Code:
                    r.Code = TextNormalizer.Compact(raw);
                    if (r.Code.Length == 0) Error(h, raw, "手続ID が空です。重複しない ID を入力してください。");
                    else if (r.Code.Length > 64) Error(h, raw, "手続ID は64文字以内にしてください。");
                    p.Code = r.Code;
                    break;
                case InventoryField.Name:
                    p.Name = text;
                    if (text.Length == 0) Error(h, raw, "手続名が空です。手続名を入力してください。");
                    else if (text.Length > 500) Error(h, raw, "手続名は500文字以内にしてください。");
                    break;
                case InventoryField.Bu:
                    r.Bu = text;
                    if (text.Length == 0) Error(h, raw, "所管部が空です。部（室・委員会事務局など）の名前を入力してください。");
                    else if (text.Length > 100) Error(h, raw, "100文字以内にしてください。");
                    break;
                case InventoryField.Ka:
                    r.Ka = text;
                    if (text.Length > 100) Error(h, raw, "100文字以内にしてください。");
                    break;
                case InventoryField.Kakari:
                    r.Kakari = text;
                    if (text.Length > 100) Error(h, raw, "100文字以内にしてください。");
                    break;
                case InventoryField.Ministry: p.Ministry = text; break;
                case InventoryField.LawName: p.LawName = text; break;
                case InventoryField.LawArticle: p.LawArticle = text; break;
                case InventoryField.ProcedureType: p.ProcedureType = text; break;
                case InventoryField.Actor: p.Actor = text; break;
                case InventoryField.Recipient: p.Recipient = text; break;
                case InventoryField.AffairCategory: p.AffairCategory = text; break;
                case InventoryField.IneligibleReason: p.IneligibleReason = text; break;
                case InventoryField.PlanNote: p.PlanNote = text; break;
                case InventoryField.Attachments: p.Attachments = text; break;
                case InventoryField.IdentityVerification: p.IdentityVerification = text; break;
                case InventoryField.Eligible:
                    eligibleRaw = raw;
                    if (norm == "可") p.OnlineEligible = true;
                    else if (norm == "不可") p.OnlineEligible = false;
                    else Error(h, raw, "可 または 不可 を指定してください");
                    break;
                case InventoryField.Status:
                    statusRaw = raw;
                    if (_layout == InventoryLayout.Municipal)
                    {
                        if (norm == "済") p.Status = OnlineStatus.Done;
                        else if (norm == "未") p.Status = OnlineStatus.NotDone;
                        else Error(h, raw, "済 または 未 を指定してください");
                    }
                    else if (NationalStatus(norm) is { } status)
                    {
                        p.Status = status;
                        // The survey marks what cannot go online as 適用除外; everything else is eligible.
                        p.OnlineEligible = status != OnlineStatus.Exempt;
                    }
                    else
                    {
                        Error(h, raw, "1 実施済、2 未実施、3 適用除外、4 その他 のいずれかを指定してください");
                    }
                    break;
                case InventoryField.PlanFiscalYear:
                    if (norm.Length == 0) break;
                    var plan = _layout == InventoryLayout.National ? NationalPlanYear(norm) : Wareki.ParseFiscalYear(norm);
                    if (plan is { Year: >= 2000 and <= 2100 } fy)
                    {
                        p.PlanFiscalYear = fy.Year;
                        p.PlanYearBound = fy.Bound;
                    }
                    else
                    {
                        Error(h, raw, _layout == InventoryLayout.National
                            ? "「1 2024年度」〜「7 2030年度以降」のいずれかを指定してください"
                            : "年度を「令和6年度」「2024年度」「令和5年度まで」の形で指定してください（2000〜2100年度）");
                    }
                    break;
                case InventoryField.Tool:
                    if (norm.Length == 0) break;
                    var tool = Array.Find(InventoryLayouts.Tools, t => string.Equals(TextNormalizer.Compact(t), TextNormalizer.Compact(norm), StringComparison.OrdinalIgnoreCase));
                    if (tool is null) Error(h, raw, $"{string.Join("、", InventoryLayouts.Tools)} のいずれかを指定してください（空欄は未定）");
                    else p.Tool = tool;
                    break;
                case InventoryField.OnlineSince:
                    if (norm.Length == 0) break;
                    DateOnly? since = Wareki.ParseDate(norm) ?? (Wareki.ParseMonth(norm) is { } ym ? new DateOnly(ym.Year, ym.Month, 1) : null);
                    if (since is { Year: >= 1990 and <= 2100 } d) p.OnlineSince = d;
                    else Error(h, raw, "年月を「2024-07」「2024/7」「令和6年7月」「R6.7」の形で指定してください（日付も可）");
                    break;
                case InventoryField.FeeRequired:
                    if (norm.Length == 0) break;
                    var code = CodeOf(norm);
                    if (code == "1" || norm.Contains("無し", StringComparison.Ordinal)) p.FeeRequired = false;
                    else if (code == "2" || norm.Contains("有り", StringComparison.Ordinal)) p.FeeRequired = true;
                    else Error(h, raw, "「1 手数料等無し」または「2 手数料等有り」を指定してください");
                    break;
                case InventoryField.FeePaymentMethods:
                    p.FeePaymentMethods = string.Join("; ", SplitMulti(raw));
                    break;
                case InventoryField.VolumeTotal:
                    r.Total = Count(h, raw, norm, Error);
                    break;
                case InventoryField.VolumeOnline:
                    r.Online = Count(h, raw, norm, Error);
                    break;
                case InventoryField.VolumeNonOnline:
                    r.NonOnline = Count(h, raw, norm, Error);
                    break;
                case InventoryField.EventsPersonal:
                case InventoryField.EventsCorporate:
                    var list = column.Field == InventoryField.EventsPersonal ? r.EventsPersonal : r.EventsCorporate;
                    foreach (var e in SplitMulti(raw))
                    {
                        if (e.Length > 100) Error(h, raw, "イベント名は100文字以内にしてください。");
                        else if (!list.Contains(e)) list.Add(e);
                    }
                    break;
                case InventoryField.CommonProcedure:
                    if (norm.Length == 0) break;
                    // Both symbol sets occur: 〇/✕ (令和7年度) and ○/× (令和6年度).
                    if (norm[0] is '〇' or '○' or '✕' or '×') r.Extras[h] = text;
                    else Error(h, raw, "〇（○）または ✕（×）で始まる値を指定してください");
                    break;
                case InventoryField.Extra:
                    if (text.Length > 0) r.Extras[h] = text;
                    break;
            }
        }
        if (_layout == InventoryLayout.Municipal && p.Status == OnlineStatus.Done && !p.OnlineEligible && eligibleRaw is not null && statusRaw is not null
            && TextNormalizer.Normalize(eligibleRaw) == "不可")
        {
            Error(InventoryLayouts.Municipal[11].Header, statusRaw, "オンライン化可否が「不可」の手続は「済」にできません。可否を「可」にするか、状況を「未」にしてください");
        }
        if (r.Total is int t && r.Online is int o && o > t)
        {
            Error(HeaderOf(InventoryField.VolumeOnline), o.ToString(CultureInfo.InvariantCulture), $"オンライン件数が総件数（{t}）を超えています。件数を確認してください");
        }
        if (r.Total is int t2 && r.Online is int o2 && r.NonOnline is int n2 && o2 + (long)n2 != t2)
        {
            Error(HeaderOf(InventoryField.VolumeNonOnline), n2.ToString(CultureInfo.InvariantCulture), $"オンライン（{o2}）と非オンライン（{n2}）の合計が総件数（{t2}）と一致しません");
        }
        // Non-online filings follow from the two counts when the file does not give them.
        if (r.NonOnline is null && r.Total is int tt && r.Online is int oo && oo <= tt) r.NonOnline = tt - oo;
        return r;
    }

    private string HeaderOf(InventoryField field) => _columns.First(c => c.Column.Field == field).Column.Header;

    private static int? Count(string header, string raw, string norm, Action<string, string, string> error)
    {
        if (norm.Length == 0) return null;
        var digits = norm.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
        error(header, raw, "件数は0以上の整数で指定してください（不明なときは空欄）");
        return null;
    }

    private static OnlineStatus? NationalStatus(string norm) => CodeOf(norm) switch
    {
        "1" => OnlineStatus.Done,
        "2" => OnlineStatus.NotDone,
        "3" => OnlineStatus.Exempt,
        "4" => OnlineStatus.Other,
        _ => norm switch
        {
            "実施済" => OnlineStatus.Done,
            "未実施" => OnlineStatus.NotDone,
            "適用除外" => OnlineStatus.Exempt,
            "その他" => OnlineStatus.Other,
            _ => null,
        },
    };

    private static FiscalYearSpec? NationalPlanYear(string norm)
    {
        var code = CodeOf(norm);
        if (code is { Length: 1 } && code[0] is >= '1' and <= '7')
        {
            var year = 2023 + (code[0] - '0');
            var spec = new FiscalYearSpec(year, year == 2030 ? PlanYearBound.OrLater : PlanYearBound.Exact);
            // "3 2026年度": the label, when written, must agree with the code.
            var label = norm[1..].Trim();
            return label.Length == 0 || Wareki.ParseFiscalYear(label) == spec ? spec : null;
        }
        return Wareki.ParseFiscalYear(norm);
    }

    /// <summary>The code before the first space: "2-1 申請等に基づく処分通知等" → "2-1".</summary>
    private static string? CodeOf(string norm)
    {
        var space = norm.IndexOf(' ', StringComparison.Ordinal);
        var code = space < 0 ? norm : norm[..space];
        return code.Length > 0 && code.All(c => char.IsAsciiDigit(c) || c == '-') ? code : null;
    }

    private static IEnumerable<string> SplitMulti(string raw)
        => raw.Split([';', '；'], StringSplitOptions.None).Select(TextNormalizer.Squeeze).Where(s => s.Length > 0);

    /// <summary>Our export prefixes an apostrophe to cells a spreadsheet would run as a formula; take it off again.</summary>
    internal static string Unneutralize(string cell)
        => cell.Length >= 2 && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? cell[1..] : cell;
}
