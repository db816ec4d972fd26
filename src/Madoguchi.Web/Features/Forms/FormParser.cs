using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Madoguchi.Web.Features.Forms;

/// <summary>One problem in a form definition: the JSON path ($.pages[0].items[2].label.ja) and how to fix it.</summary>
public sealed record FormError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

public sealed record FormParseResult(FormDefinition? Definition, IReadOnlyList<FormError> Errors)
{
    public bool IsValid => Definition is not null && Errors.Count == 0;
}

/// <summary>
/// Reads a form definition strictly (docs/forms-format.md): unknown or duplicate keys, wrong types,
/// missing Japanese texts and conditions on unknown or later fields are all errors, reported
/// together with their JSON path, so an author fixes everything in one round.
/// </summary>
public static partial class FormParser
{
    /// <summary>File types a form may accept; uploads are checked by content against these.</summary>
    public static readonly IReadOnlyList<string> FileTypes = ["pdf", "jpeg", "png"];

    public const long MaxFileBytes = 20 * 1024 * 1024;
    public const int MaxGroupItems = 50;
    public const long MaxFeeYen = 10_000_000;

    internal static readonly IReadOnlyDictionary<string, FieldType> TypeNames = new Dictionary<string, FieldType>(StringComparer.Ordinal)
    {
        ["text"] = FieldType.Text,
        ["long-text"] = FieldType.LongText,
        ["number"] = FieldType.Number,
        ["email"] = FieldType.Email,
        ["phone"] = FieldType.Phone,
        ["name"] = FieldType.Name,
        ["date"] = FieldType.Date,
        ["postcode"] = FieldType.Postcode,
        ["address"] = FieldType.Address,
        ["select"] = FieldType.Select,
        ["radio"] = FieldType.Radio,
        ["checkbox"] = FieldType.Checkbox,
        ["file"] = FieldType.File,
        ["my-number"] = FieldType.MyNumber,
        ["corporate-number"] = FieldType.CorporateNumber,
        ["bank-account"] = FieldType.BankAccount,
        ["consent"] = FieldType.Consent,
    };

    public static string TypeName(FieldType type) => TypeNames.First(t => t.Value == type).Key;

    private static readonly string[] CommonFieldKeys = ["type", "key", "label", "help", "error", "required", "sensitive", "showWhen"];

    /// <summary>Settings each type accepts besides the common keys.</summary>
    private static readonly Dictionary<FieldType, string[]> SettingKeys = new()
    {
        [FieldType.Text] = ["maxLength", "autocomplete"],
        [FieldType.LongText] = ["maxLength"],
        [FieldType.Number] = ["min", "max", "unit"],
        [FieldType.Email] = ["autocomplete"],
        [FieldType.Phone] = ["autocomplete"],
        [FieldType.Name] = ["kana"],
        [FieldType.Date] = ["min", "max", "autocomplete"],
        [FieldType.Postcode] = ["addressField"],
        [FieldType.Address] = ["maxLength"],
        [FieldType.Select] = ["options"],
        [FieldType.Radio] = ["options"],
        [FieldType.Checkbox] = ["options"],
        [FieldType.File] = ["accept", "maxBytes", "maxFiles"],
        [FieldType.MyNumber] = [],
        [FieldType.CorporateNumber] = [],
        [FieldType.BankAccount] = [],
        [FieldType.Consent] = ["statement"],
    };

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[a-z][A-Za-z0-9]*$")]
    private static partial Regex KeyPattern();

    /// <param name="procedureUsesMyNumber">Whether the procedure may collect 個人番号; false makes a my-number field an error.</param>
    public static FormParseResult Parse(string json, bool procedureUsesMyNumber)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is long line ? $"{line + 1}行目 {e.BytePositionInLine + 1}バイト目で" : "";
            return new(null, [new FormError("$", $"JSON として読めません（{where}構文の誤り）。括弧・引用符・カンマを確かめてください。")]);
        }
        using (doc)
        {
            var reader = new Reader();
            var definition = reader.Root(doc.RootElement);
            // Whether the procedure may collect 個人番号 is a publish check; import applies it too, to refuse early.
            if (definition is not null && PublishChecks.MyNumber(definition, procedureUsesMyNumber) is { Count: > 0 } myNumber) reader.Errors.AddRange(myNumber);
            return new(reader.Errors.Count == 0 ? definition : null, reader.Errors);
        }
    }

    /// <summary>Where a field sits, for the rules on conditions and postcode links.</summary>
    private sealed record Known(FormField Field, int Page, string? Group);

    private sealed class Reader
    {
        public List<FormError> Errors { get; } = [];
        private readonly Dictionary<string, Known> _fields = new(StringComparer.Ordinal);
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
        private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
        /// <summary>Keys of fields refused for an error of their own: a condition on one of them adds no second, misleading error.</summary>
        private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
        private readonly HashSet<int> _conditionalPages = [];
        /// <summary>Fees charged per unit, checked once every field is known (the count may come after the fee).</summary>
        private readonly List<(string Path, string Key, long Yen)> _perFees = [];

        private void Error(string path, string message) => Errors.Add(new FormError(path, message));

        public FormDefinition? Root(JsonElement root)
        {
            if (!Object(root, "$", ["slug", "procedure", "title", "description", "draftExpiryDays", "signIn", "changes", "pages", "intake"])) return null;
            var slug = RequiredString(root, "$", "slug", 64);
            if (slug is not null && !SlugPattern().IsMatch(slug))
            {
                Error("$.slug", $"slug '{slug}' は使えません。英小文字・数字とハイフンだけで書いてください（例: jidou-teate）。");
            }
            var procedure = OptionalString(root, "$", "procedure", 64) ?? "";
            var title = Text(root, "$", "title", required: true);
            var description = Text(root, "$", "description", required: false);
            var expiry = OptionalInteger(root, "$", "draftExpiryDays", 1, 365) ?? FormDefinition.DefaultDraftExpiryDays;
            var changes = Changes(root);
            var pages = new List<FormPage>();
            if (!root.TryGetProperty("pages", out var pagesJson))
            {
                Error("$.pages", "pages がありません。ページの配列を書いてください（1ページ以上）。");
            }
            else if (pagesJson.ValueKind != JsonValueKind.Array || pagesJson.GetArrayLength() == 0)
            {
                Error("$.pages", "pages はページの配列で、1ページ以上が必要です。");
            }
            else
            {
                var pageKeys = new HashSet<string>(StringComparer.Ordinal);
                var index = 0;
                foreach (var p in pagesJson.EnumerateArray())
                {
                    var page = Page(p, $"$.pages[{index}]", index, pageKeys);
                    if (page is not null) pages.Add(page);
                    index++;
                }
            }
            foreach (var (path, key, yen) in _perFees) CheckPer(path, key, yen);
            var signIn = root.TryGetProperty("signIn", out var signInJson) ? Applicants.SignInFormat.Read(signInJson, pages, Errors) : null;
            // Read after the pages: the intake rules name fields, which must exist by then.
            var intake = root.TryGetProperty("intake", out var intakeJson)
                ? Intake.IntakeRules.Read(intakeJson, "$.intake", IntakeField, Error)
                : null;
            if (slug is null || title is null || Errors.Count > 0) return null;
            return new FormDefinition(slug, procedure, title, description, (int)expiry, pages) { SignIn = signIn, Changes = changes, Intake = intake };
        }

        /// <summary>
        /// A fee's <c>per</c> must name one whole, non-negative count that the resident always gives when
        /// asked: a required top-level number field (numbers are integers) with min ≥ 0 and a max that keeps
        /// yen × max within <see cref="MaxFeeYen"/>. Refused rather than capped: a capped fee would not be
        /// what the resident pays.
        /// </summary>
        private void CheckPer(string path, string key, long yen)
        {
            if (_refused.Contains(key)) return;
            if (!_fields.TryGetValue(key, out var known))
            {
                Error(path, _groups.Contains(key)
                    ? $"'{key}' は繰り返しグループなので per に使えません。per には、グループの外にある数（number）の項目の key を書いてください。"
                    : $"項目 '{key}' はありません。per には、このフォームの数（number）の項目の key を書いてください（例: 必要な通数の項目）。");
                return;
            }
            var field = known.Field;
            var s = field.Settings;
            static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
            if (known.Group is not null)
                Error(path, $"'{key}' は繰り返しグループ '{known.Group}' の中の項目なので per に使えません（回答が件数分あり、数が1つに決まりません）。グループの外にある数（number）の項目の key を書いてください。");
            else if (field.Type != FieldType.Number)
                Error(path, $"'{key}' は {TypeName(field.Type)} の項目なので per に使えません。per には数（number）の項目の key を書いてください。");
            else if (s.Min is not long min)
                Error(path, $"'{key}' には min がないため、負の数も入力できます（手数料が負になります）。'{key}' に min を 0 以上（例: 1）で書いてください。");
            else if (min < 0)
                Error(path, $"'{key}' の min（{N(min)}）が負の数なので、手数料が負になります。'{key}' の min を 0 以上（例: 1）にしてください。");
            else if (s.Max is not long max)
                Error(path, $"'{key}' には max がないため、手数料の合計に上限がありません。'{key}' に max を書いてください" + (yen > 0 ? $"（{N(yen)}円 × max が上限の {N(MaxFeeYen)}円以内になるよう、{N(MaxFeeYen / yen)} 以下）。" : "。"));
            else if (yen > 0 && max > MaxFeeYen / yen)
                Error(path, $"'{key}' の max（{N(max)}）では手数料が最大 {N(yen)}円 × {N(max)} となり、上限の {N(MaxFeeYen)}円を超えます。max を {N(MaxFeeYen / yen)} 以下にしてください。");
            else if (!field.Required)
                Error(path, $"'{key}' が必須ではないため、空のままだと手数料が決まりません。'{key}' の required を true にしてください。");
        }

        /// <summary>A top-level field for the intake rules, and whether it is always shown (no condition on it or its page).</summary>
        private (FormField Field, bool AlwaysShown)? IntakeField(string key)
        {
            if (!_fields.TryGetValue(key, out var known) || known.Group is not null) return null;
            return (known.Field, known.Field.ShowWhen is null && !_conditionalPages.Contains(known.Page));
        }

        /// <summary>
        /// The declaration's own shape; whether its keys exist in this and the previous version is
        /// checked at publishing (<see cref="VersionChanges.Check"/>), when the previous version is known.
        /// </summary>
        private VersionChangeSet? Changes(JsonElement root)
        {
            if (!root.TryGetProperty("changes", out var c)) return null;
            const string path = "$.changes";
            if (!Object(c, path, ["from", "renamed", "removed"])) return null;
            var before = Errors.Count;
            var from = RequiredInteger(c, path, "from", 1, 1_000_000, "直前の版の番号（整数）");
            var renamed = new List<KeyRename>();
            if (c.TryGetProperty("renamed", out var r))
            {
                if (r.ValueKind != JsonValueKind.Object)
                {
                    Error(path + ".renamed", "renamed は {\"元のkey\": \"新しいkey\"} の形のオブジェクトで書いてください。");
                }
                else
                {
                    var targets = new HashSet<string>(StringComparer.Ordinal);
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var p in r.EnumerateObject())
                    {
                        var pp = $"{path}.renamed.{p.Name}";
                        if (!seen.Add(p.Name)) Error(pp, $"'{p.Name}' の名前の変更が2回書かれています。1つにしてください。");
                        else if (!KeyPattern().IsMatch(p.Name)) Error(pp, $"'{p.Name}' は項目の key の形ではありません。直前の版の項目の key を書いてください。");
                        else if (p.Value.ValueKind != JsonValueKind.String || !KeyPattern().IsMatch(p.Value.GetString()!))
                            Error(pp, $"'{p.Name}' の変更先は、この定義の項目の key を文字列で書いてください（'{p.Value.GetRawText()}' は使えません）。");
                        else if (p.Value.GetString() == p.Name) Error(pp, $"'{p.Name}' を同じ名前に変えています。名前を変えていないなら renamed から外してください。");
                        else if (!targets.Add(p.Value.GetString()!)) Error(pp, $"変更先 '{p.Value.GetString()}' が複数の項目に使われています。2つの回答を1つの項目にまとめることはできません。");
                        else renamed.Add(new KeyRename(p.Name, p.Value.GetString()!));
                    }
                }
            }
            var removed = new List<string>();
            if (c.TryGetProperty("removed", out var rm))
            {
                if (rm.ValueKind != JsonValueKind.Array)
                {
                    Error(path + ".removed", "removed は削除した項目の key の配列で書いてください（例: [\"fax\"]）。");
                }
                else
                {
                    var i = 0;
                    foreach (var e in rm.EnumerateArray())
                    {
                        var ep = $"{path}.removed[{i++}]";
                        var key = e.ValueKind == JsonValueKind.String ? e.GetString()! : null;
                        if (key is null || !KeyPattern().IsMatch(key)) Error(ep, $"removed には直前の版の項目の key を文字列で書いてください（'{e.GetRawText()}' は使えません）。");
                        else if (removed.Contains(key)) Error(ep, $"'{key}' が removed に2回書かれています。");
                        else if (renamed.Any(x => x.Old == key)) Error(ep, $"'{key}' は renamed と removed の両方に書かれています。名前を変えたのか削除したのか、どちらか一方にしてください。");
                        else removed.Add(key);
                    }
                }
            }
            return Errors.Count > before || from is null ? null : new VersionChangeSet((int)from, renamed, removed);
        }

        private FormPage? Page(JsonElement p, string path, int index, HashSet<string> pageKeys)
        {
            if (!Object(p, path, ["key", "title", "showWhen", "items"])) return null;
            var key = RequiredString(p, path, "key", 64);
            if (key is not null)
            {
                if (!SlugPattern().IsMatch(key)) Error(path + ".key", $"ページの key '{key}' は使えません。英小文字・数字とハイフンだけで書いてください（例: applicant）。");
                else if (!pageKeys.Add(key)) Error(path + ".key", $"ページの key '{key}' が重複しています。ページごとに別の key にしてください。");
            }
            var title = Text(p, path, "title", required: true);
            var items = new List<FormItem>();
            if (!p.TryGetProperty("items", out var itemsJson) || itemsJson.ValueKind != JsonValueKind.Array || itemsJson.GetArrayLength() == 0)
            {
                Error(path + ".items", "items はこのページの項目の配列で、1つ以上が必要です。");
            }
            else
            {
                var i = 0;
                foreach (var item in itemsJson.EnumerateArray())
                {
                    var parsed = Item(item, $"{path}.items[{i}]", index);
                    if (parsed is not null) items.Add(parsed);
                    i++;
                }
                CheckPostcodeLinks(items, $"{path}.items");
                foreach (var (g, gi) in items.Select((it, n) => (it, n)).Where(x => x.it is FormGroup).Select(x => ((FormGroup)x.it, x.n)))
                {
                    CheckPostcodeLinks(g.Fields, $"{path}.items[{gi}].fields");
                }
            }
            // Read after the items so that a field of this same page is named as such in the error:
            // a page's condition needs answers from earlier pages, as the server decides it before drawing the page.
            var showWhen = Condition(p, path, index, group: null, pageCondition: true);
            if (showWhen is not null) _conditionalPages.Add(index);
            return key is null || title is null ? null : new FormPage(key, title, showWhen, items);
        }

        private FormItem? Item(JsonElement item, string path, int page)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Error(path, "項目は JSON のオブジェクト（{ … }）で書いてください。");
                return null;
            }
            var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
            switch (type)
            {
                case null:
                    Error(path + ".type", $"type がありません。{string.Join("、", TypeNames.Keys)}、group、static、fee のいずれかを書いてください。");
                    return null;
                case "static":
                    if (!Object(item, path, ["type", "heading", "text", "showWhen"])) return null;
                    var heading = Text(item, path, "heading", required: false);
                    var text = Text(item, path, "text", required: true);
                    var sw = Condition(item, path, page, group: null, pageCondition: false);
                    return text is null ? null : new StaticText(heading, text, sw);
                case "fee":
                    if (!Object(item, path, ["type", "label", "yen", "per", "showWhen"])) return null;
                    var label = Text(item, path, "label", required: true);
                    var yen = RequiredInteger(item, path, "yen", 0, MaxFeeYen, "円（整数）");
                    var per = OptionalString(item, path, "per", 64);
                    var fsw = Condition(item, path, page, group: null, pageCondition: false);
                    if (label is null || yen is null) return null;
                    if (per is not null) _perFees.Add((path + ".per", per, yen.Value));
                    return new FeeDisplay(label, yen.Value, fsw) { Per = per };
                case "group":
                    return Group(item, path, page);
                default:
                    if (!TypeNames.TryGetValue(type, out var fieldType))
                    {
                        Error(path + ".type", $"type '{type}' は使えません。{string.Join("、", TypeNames.Keys)}、group、static、fee のいずれかを書いてください。");
                        return null;
                    }
                    return Field(item, path, fieldType, page, group: null);
            }
        }

        private FormGroup? Group(JsonElement g, string path, int page)
        {
            if (!Object(g, path, ["type", "key", "label", "help", "itemLabel", "min", "max", "showWhen", "fields"])) return null;
            var key = Key(g, path);
            if (key is not null) _groups.Add(key);
            var label = Text(g, path, "label", required: true);
            var help = Text(g, path, "help", required: false);
            var itemLabel = Text(g, path, "itemLabel", required: false);
            var min = OptionalInteger(g, path, "min", 0, MaxGroupItems) ?? 0;
            var max = OptionalInteger(g, path, "max", 1, MaxGroupItems) ?? 10;
            if (min > max) Error(path + ".min", $"min（{min}）が max（{max}）より大きくなっています。min ≦ max にしてください。");
            var showWhen = Condition(g, path, page, group: null, pageCondition: false);
            var fields = new List<FormField>();
            if (!g.TryGetProperty("fields", out var fieldsJson) || fieldsJson.ValueKind != JsonValueKind.Array || fieldsJson.GetArrayLength() == 0)
            {
                Error(path + ".fields", "fields は繰り返す項目の配列で、1つ以上が必要です。");
            }
            else
            {
                var i = 0;
                foreach (var f in fieldsJson.EnumerateArray())
                {
                    var fp = $"{path}.fields[{i++}]";
                    if (f.ValueKind != JsonValueKind.Object)
                    {
                        Error(fp, "項目は JSON のオブジェクト（{ … }）で書いてください。");
                        continue;
                    }
                    var type = f.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                    if (!TypeNames.TryGetValue(type, out var fieldType))
                    {
                        Error(fp + ".type", $"繰り返しグループの中では type '{type}' は使えません。{string.Join("、", TypeNames.Keys)} のいずれかを書いてください（グループの入れ子、static、fee は不可）。");
                        continue;
                    }
                    if (Field(f, fp, fieldType, page, key) is { } field) fields.Add(field);
                }
            }
            if (key is null || label is null) return null;
            return new FormGroup(key, label, help, itemLabel, (int)min, (int)max, showWhen, fields);
        }

        private FormField? Field(JsonElement f, string path, FieldType type, int page, string? group)
        {
            if (!Object(f, path, [.. CommonFieldKeys, .. SettingKeys[type]], $"type '{TypeName(type)}' で使えるのは {string.Join("、", CommonFieldKeys.Concat(SettingKeys[type]))} です。"))
            {
                if (f.ValueKind == JsonValueKind.Object && f.TryGetProperty("key", out var named) && named.ValueKind == JsonValueKind.String) _refused.Add(named.GetString()!);
                return null;
            }
            var key = Key(f, path);
            var label = Text(f, path, "label", required: true);
            var help = Text(f, path, "help", required: false);
            var error = Text(f, path, "error", required: false);
            var required = OptionalBool(f, path, "required") ?? false;
            var sensitive = OptionalBool(f, path, "sensitive");
            // The condition is read before this field is known, so it cannot refer to itself.
            var showWhen = Condition(f, path, page, group, pageCondition: false);
            if (type == FieldType.Consent)
            {
                if (f.TryGetProperty("required", out _) && !required) Error(path + ".required", "同意（consent）は必ず同意してもらう項目です。required を false にせず、省くか true にしてください。");
                required = true;
            }
            if (type == FieldType.MyNumber)
            {
                if (sensitive == false) Error(path + ".sensitive", "個人番号（my-number）は常に機微情報です。sensitive を false にせず、省くか true にしてください。");
                sensitive = true;
            }
            var settings = Settings(f, path, type);
            if (key is null || label is null || settings is null)
            {
                if (key is not null) _refused.Add(key);
                return null;
            }
            var field = new FormField(key, type, label, help, error, required, sensitive ?? false, showWhen, settings);
            _fields[key] = new Known(field, page, group);
            return field;
        }

        private FieldSettings? Settings(JsonElement f, string path, FieldType type)
        {
            var before = Errors.Count;
            var s = FieldSettings.None;
            switch (type)
            {
                case FieldType.Text or FieldType.LongText or FieldType.Address:
                    s = s with { MaxLength = (int?)OptionalInteger(f, path, "maxLength", 1, type == FieldType.LongText ? 10_000 : 1_000) };
                    break;
                case FieldType.Number:
                    s = s with { Min = OptionalInteger(f, path, "min", long.MinValue, long.MaxValue), Max = OptionalInteger(f, path, "max", long.MinValue, long.MaxValue), Unit = OptionalString(f, path, "unit", 20) };
                    if (s.Min > s.Max) Error(path + ".min", $"min（{s.Min}）が max（{s.Max}）より大きくなっています。min ≦ max にしてください。");
                    break;
                case FieldType.Date:
                    s = s with { MinDate = OptionalDate(f, path, "min"), MaxDate = OptionalDate(f, path, "max") };
                    if (s.MinDate > s.MaxDate) Error(path + ".min", $"min（{s.MinDate:yyyy-MM-dd}）が max（{s.MaxDate:yyyy-MM-dd}）より後になっています。");
                    break;
                case FieldType.Name:
                    s = s with { Kana = OptionalBool(f, path, "kana") };
                    break;
                case FieldType.Postcode:
                    s = s with { AddressField = OptionalString(f, path, "addressField", 64) };
                    break;
                case FieldType.Select or FieldType.Radio or FieldType.Checkbox:
                    s = s with { Options = Options(f, path, type == FieldType.Checkbox ? 1 : 2) };
                    break;
                case FieldType.File:
                    s = s with { Accept = Accept(f, path), MaxBytes = OptionalInteger(f, path, "maxBytes", 1, MaxFileBytes), MaxFiles = (int?)OptionalInteger(f, path, "maxFiles", 1, 10) };
                    break;
                case FieldType.Consent:
                    s = s with { Statement = Text(f, path, "statement", required: true) };
                    break;
                default:
                    break;
            }
            if (SettingKeys[type].Contains("autocomplete")) s = s with { Autocomplete = OptionalString(f, path, "autocomplete", 64) };
            // A date input is text (和暦 is typed too): of the autofill tokens only a date of birth fits it.
            if (type == FieldType.Date && s.Autocomplete is { } token && token != "bday")
            {
                Error(path + ".autocomplete", $"日付の autocomplete には bday（生年月日）だけを指定できます（'{token}' は使えません）。");
            }
            return Errors.Count == before ? s : null;
        }

        private List<FieldOption>? Options(JsonElement f, string path, int least)
        {
            if (!f.TryGetProperty("options", out var o) || o.ValueKind != JsonValueKind.Array || o.GetArrayLength() < least)
            {
                Error(path + ".options", $"options は選択肢の配列で、{least}つ以上が必要です（例: [{{\"value\": \"yes\", \"label\": {{\"ja\": \"はい\"}}}}]）。");
                return null;
            }
            var options = new List<FieldOption>();
            var values = new HashSet<string>(StringComparer.Ordinal);
            var i = 0;
            foreach (var option in o.EnumerateArray())
            {
                var op = $"{path}.options[{i++}]";
                if (!Object(option, op, ["value", "label"])) continue;
                var value = RequiredString(option, op, "value", 100);
                var label = Text(option, op, "label", required: true);
                if (value is not null && !values.Add(value)) Error(op + ".value", $"選択肢の value '{value}' が重複しています。選択肢ごとに別の value にしてください。");
                if (value is not null && label is not null) options.Add(new FieldOption(value, label));
            }
            return options;
        }

        private List<string>? Accept(JsonElement f, string path)
        {
            if (!f.TryGetProperty("accept", out var a)) return null;
            if (a.ValueKind != JsonValueKind.Array || a.GetArrayLength() == 0)
            {
                Error(path + ".accept", $"accept はファイル形式の配列です（{string.Join("、", FileTypes)} から1つ以上）。");
                return null;
            }
            var list = new List<string>();
            var i = 0;
            foreach (var e in a.EnumerateArray())
            {
                var v = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
                if (!FileTypes.Contains(v)) Error($"{path}.accept[{i}]", $"ファイル形式 '{v}' は受け付けられません。{string.Join("、", FileTypes)} のいずれかにしてください。");
                else if (list.Contains(v)) Error($"{path}.accept[{i}]", $"ファイル形式 '{v}' が重複しています。");
                else list.Add(v);
                i++;
            }
            return list;
        }

        /// <summary>A postcode's addressField must name an address field beside it (same page, same group).</summary>
        private void CheckPostcodeLinks(IReadOnlyList<FormItem> items, string path)
        {
            // Indices are those of the JSON array (static text and fees count), so the path points at the right item.
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not FormField { Settings.AddressField: { } target }) continue;
                var address = items.OfType<FormField>().FirstOrDefault(x => x.Key == target);
                if (address?.Type != FieldType.Address)
                {
                    Errors.Add(new FormError($"{path}[{i}].addressField",
                        $"addressField '{target}' は同じページ（グループ内なら同じグループ）の住所（address）項目ではありません。自動入力する住所項目の key を書いてください。"));
                }
            }
        }

        private FormCondition? Condition(JsonElement e, string path, int page, string? group, bool pageCondition)
        {
            if (!e.TryGetProperty("showWhen", out var c)) return null;
            var cp = path + ".showWhen";
            if (!Object(c, cp, ["field", "equals", "in", "filled"])) return null;
            var field = RequiredString(c, cp, "field", 64);
            var ops = new[] { "equals", "in", "filled" }.Where(o => c.TryGetProperty(o, out _)).ToList();
            if (ops.Count != 1)
            {
                Error(cp, "showWhen には equals（値が等しい）、in（いずれかの値）、filled（入力済み）のどれか1つを書いてください。");
                return null;
            }
            ConditionOperator op;
            var values = new List<string>();
            switch (ops[0])
            {
                case "equals":
                    op = ConditionOperator.Equals;
                    if (RequiredString(c, cp, "equals", 100) is { } v) values.Add(v);
                    break;
                case "in":
                    op = ConditionOperator.In;
                    var arr = c.GetProperty("in");
                    if (arr.ValueKind != JsonValueKind.Array || arr.GetArrayLength() == 0 || arr.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                    {
                        Error(cp + ".in", "in は値（文字列）の配列で、1つ以上が必要です。");
                    }
                    else values.AddRange(arr.EnumerateArray().Select(x => x.GetString()!));
                    break;
                default:
                    op = ConditionOperator.Filled;
                    if (c.GetProperty("filled").ValueKind != JsonValueKind.True) Error(cp + ".filled", "filled は true だけが書けます（入力済みのときに表示）。");
                    break;
            }
            if (field is null || _refused.Contains(field)) return null;
            if (!_fields.TryGetValue(field, out var known))
            {
                var message = _groups.Contains(field)
                    ? $"'{field}' は繰り返しグループなので条件に使えません。グループの中の項目か、ほかの項目を指定してください。"
                    : $"項目 '{field}' はこれより前にありません。条件には、これより前にある項目の key を書いてください（後ろの項目や存在しない項目は参照できません）。";
                Error(cp + ".field", message);
                return null;
            }
            if (pageCondition && known.Page >= page)
            {
                Error(cp + ".field", $"ページの条件には前のページの項目だけが使えます（'{field}' は同じページにあります）。");
                return null;
            }
            if (known.Group is not null && known.Group != group)
            {
                Error(cp + ".field", $"'{field}' は繰り返しグループ '{known.Group}' の中の項目なので、グループの外の条件には使えません。");
                return null;
            }
            if (known.Field.Type is FieldType.File or FieldType.MyNumber && op != ConditionOperator.Filled)
            {
                Error(cp, $"'{field}'（{TypeName(known.Field.Type)}）の値は条件に使えません。filled だけが使えます。");
                return null;
            }
            if (known.Field.Settings.Options is { } options)
            {
                foreach (var v in values.Where(v => options.All(o => o.Value != v)))
                {
                    Error(cp, $"'{v}' は '{field}' の選択肢にありません。{string.Join("、", options.Select(o => o.Value))} のいずれかを書いてください。");
                }
            }
            return new FormCondition(field, op, values);
        }

        private string? Key(JsonElement e, string path)
        {
            var key = RequiredString(e, path, "key", 64);
            if (key is null) return null;
            if (!KeyPattern().IsMatch(key))
            {
                Error(path + ".key", $"key '{key}' は使えません。英小文字で始まる英数字（例: familyName、birthDate）で書いてください。");
                return null;
            }
            if (!_keys.Add(key))
            {
                Error(path + ".key", $"key '{key}' が重複しています。フォーム全体（グループの中を含む）で項目ごとに別の key にしてください。");
                return null;
            }
            return key;
        }

        private LocalizedText? Text(JsonElement e, string path, string name, bool required)
        {
            var p = $"{path}.{name}";
            if (!e.TryGetProperty(name, out var t))
            {
                if (required) Error(p, $"{name} がありません。少なくとも日本語を {{\"ja\": \"…\"}} の形で書いてください。");
                return null;
            }
            if (!Object(t, p, ["ja", "en", "easy"])) return null;
            var ja = t.TryGetProperty("ja", out var j) && j.ValueKind == JsonValueKind.String && j.GetString()!.Trim().Length > 0 ? j.GetString() : null;
            if (ja is null) Error(p + ".ja", $"日本語（ja）の文言がありません。{name} には日本語が必須です（英語 en、やさしい日本語 easy は任意）。");
            var en = OptionalString(t, p, "en", 4000);
            var easy = OptionalString(t, p, "easy", 4000);
            if (easy is not null && EasyText.Check(easy) is { } problem) Error(p + ".easy", problem);
            return ja is null ? null : new LocalizedText(ja, en, easy);
        }

        /// <summary>Checks it is an object (false otherwise) and reports keys not allowed or written twice.</summary>
        private bool Object(JsonElement e, string path, string[] allowed, string? hint = null)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                Error(path, "JSON のオブジェクト（{ … }）で書いてください。");
                return false;
            }
            // Key errors are reported but reading goes on, so the author sees every problem at once.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in e.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    Error($"{path}.{property.Name}", $"キー '{property.Name}' が2回書かれています。1つにしてください。");
                }
                else if (!allowed.Contains(property.Name))
                {
                    Error($"{path}.{property.Name}", $"キー '{property.Name}' はここでは使えません。" + (hint ?? $"使えるのは {string.Join("、", allowed)} です。"));
                }
            }
            return true;
        }

        private string? RequiredString(JsonElement e, string path, string name, int maxLength)
        {
            if (!e.TryGetProperty(name, out _))
            {
                Error($"{path}.{name}", $"{name} がありません。文字列で書いてください。");
                return null;
            }
            return OptionalString(e, path, name, maxLength);
        }

        private string? OptionalString(JsonElement e, string path, string name, int maxLength)
        {
            if (!e.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind != JsonValueKind.String || v.GetString()!.Trim().Length == 0)
            {
                Error($"{path}.{name}", $"{name} は空でない文字列で書いてください。");
                return null;
            }
            var s = v.GetString()!;
            if (s.Length > maxLength)
            {
                Error($"{path}.{name}", $"{name} が長すぎます（{s.Length}文字）。{maxLength}文字以内にしてください。");
                return null;
            }
            return s;
        }

        private bool? OptionalBool(JsonElement e, string path, string name)
        {
            if (!e.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
            Error($"{path}.{name}", $"{name} は true か false で書いてください（'{v.GetRawText()}' は使えません）。");
            return null;
        }

        private long? RequiredInteger(JsonElement e, string path, string name, long min, long max, string what)
        {
            if (!e.TryGetProperty(name, out _))
            {
                Error($"{path}.{name}", $"{name} がありません。{what}で書いてください。");
                return null;
            }
            return OptionalInteger(e, path, name, min, max);
        }

        private long? OptionalInteger(JsonElement e, string path, string name, long min, long max)
        {
            if (!e.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n))
            {
                Error($"{path}.{name}", $"{name} は整数で書いてください（'{v.GetRawText()}' は使えません）。");
                return null;
            }
            if (n < min || n > max)
            {
                Error($"{path}.{name}", $"{name} は {min.ToString("N0", CultureInfo.InvariantCulture)} から {max.ToString("N0", CultureInfo.InvariantCulture)} までです（{n.ToString(CultureInfo.InvariantCulture)} は範囲外）。");
                return null;
            }
            return n;
        }

        private DateOnly? OptionalDate(JsonElement e, string path, string name)
        {
            if (!e.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            Error($"{path}.{name}", $"{name} は西暦の日付を \"2025-04-01\" の形で書いてください（'{v.GetRawText()}' は使えません）。");
            return null;
        }
    }
}
