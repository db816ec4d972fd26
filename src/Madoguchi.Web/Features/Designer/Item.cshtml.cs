using System.Globalization;
using System.Text;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;

namespace Madoguchi.Web.Features.Designer;

/// <summary>
/// Edits one item (or adds a new one: <c>?p=0&amp;add=text</c>, in a group with <c>&amp;group=2</c>):
/// labels and help in ja/en/やさしい日本語, required, validation settings, the condition, options.
/// The item is rebuilt from the input and the whole definition checked by the parser before saving.
/// </summary>
[Authorize(Policy = Policies.SubmissionsRead)]
public sealed class ItemModel(DesignerStore store) : PageModel
{
    public sealed record InputModel
    {
        public string Kind { get; init; } = "text";
        public string? Key { get; init; }
        public string? LabelJa { get; init; }
        public string? LabelEn { get; init; }
        public string? LabelEasy { get; init; }
        public string? HelpJa { get; init; }
        public string? HelpEn { get; init; }
        public string? HelpEasy { get; init; }
        public bool Required { get; init; }
        public bool Sensitive { get; init; }
        public string? ConditionField { get; init; }
        /// <summary>equals, in or filled.</summary>
        public string? ConditionOperator { get; init; }
        public string? ConditionValues { get; init; }
        public string? MaxLength { get; init; }
        public string? Min { get; init; }
        public string? Max { get; init; }
        public string? Unit { get; init; }
        /// <summary>One option a line: value|日本語|English|やさしい日本語.</summary>
        public string? Options { get; init; }
        public List<string> Accept { get; init; } = [];
        public string? MaxMegabytes { get; init; }
        public string? MaxFiles { get; init; }
        public bool Kana { get; init; } = true;
        public string? AddressField { get; init; }
        public string? Autocomplete { get; init; }
        public string? StatementJa { get; init; }
        public string? StatementEn { get; init; }
        public string? StatementEasy { get; init; }
        public string? HeadingJa { get; init; }
        public string? HeadingEn { get; init; }
        public string? HeadingEasy { get; init; }
        public string? TextJa { get; init; }
        public string? TextEn { get; init; }
        public string? TextEasy { get; init; }
        public string? Yen { get; init; }
        /// <summary>For a fee: the key of the number field it is charged per; empty for a flat fee.</summary>
        public string? Per { get; init; }
        public string? ItemLabelJa { get; init; }
        public string? ItemLabelEn { get; init; }
        public string? ItemLabelEasy { get; init; }
        public string? GroupMin { get; init; }
        public string? GroupMax { get; init; }
        /// <summary>A new group needs a field: its label (a one-line text field).</summary>
        public string? FirstFieldLabel { get; init; }
    }

    [BindProperty(SupportsGet = true)] public string Slug { get; set; } = "";
    [BindProperty(SupportsGet = true, Name = "p")] public int PageIndex { get; set; }
    [BindProperty(SupportsGet = true)] public int? Index { get; set; }
    [BindProperty(SupportsGet = true)] public int? Sub { get; set; }
    /// <summary>The kind of a new item.</summary>
    [BindProperty(SupportsGet = true)] public string? Add { get; set; }
    /// <summary>For a new field in a group: the group's place on the page.</summary>
    [BindProperty(SupportsGet = true)] public int? Group { get; set; }
    [BindProperty] public string? Sha { get; set; }
    [BindProperty] public InputModel Input { get; set; } = new();

    public DesignerStore.Loaded Loaded { get; private set; } = default!;
    public FormDefinition Definition => Loaded.Definition;
    /// <summary>The item being edited; null when adding.</summary>
    public FormItem? Existing { get; private set; }
    public bool IsNew => Existing is null;
    public string Kind => Input.Kind;
    /// <summary>Fields before this item that a condition may use (with their options, if any).</summary>
    public IReadOnlyList<FormField> Earlier { get; private set; } = [];

    /// <summary>The number fields outside groups, anywhere in the form, that a fee may be charged per; the parser says which of them cannot count.</summary>
    public IEnumerable<SelectListItem> PerChoices => Definition.Pages.SelectMany(p => p.Items).OfType<FormField>()
        .Where(f => f.Type == FieldType.Number).Select(f => new SelectListItem($"{f.Label.Ja}（{f.Key}）", f.Key));

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        Input = Existing is null ? Fresh(Add!) : From(Existing);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        // The kind comes from the item (or the add link), never from a posted value.
        Input = Input with { Kind = Existing is null ? Add! : DesignerText.KindOf(Existing) };
        var item = Build();
        if (!ModelState.IsValid || item is null) return Page();

        FormDefinition next;
        ItemRef at;
        if (Existing is null)
        {
            (next, at) = DefinitionEdits.Append(Definition, PageIndex, Group, item);
        }
        else
        {
            at = new ItemRef(PageIndex, Index!.Value, Sub);
            next = DefinitionEdits.Replace(Definition, at, item);
        }
        var name = DefinitionEdits.Name(item);
        var oldKey = Existing switch { FormField f => f.Key, FormGroup g => g.Key, _ => null };
        var newKey = item switch { FormField f => f.Key, FormGroup g => g.Key, _ => null };
        Func<KeyChanges, KeyChanges>? keys = oldKey is not null && newKey is not null && oldKey != newKey ? k => k.Rename(oldKey, newKey) : null;
        var outcome = await store.SaveAsync(Loaded, Sha, next, IsNew ? $"項目「{name}」を追加" : $"項目「{name}」を変更", User.Identity?.Name ?? "", keys, ct);
        if (!outcome.Saved && outcome.Errors.Count > 0)
        {
            foreach (var e in outcome.Errors)
            {
                var input = outcome.Stale ? null : InputOf(at, e.Path);
                ModelState.AddModelError(input ?? "", input is null && !outcome.Stale ? $"{DesignerStore.Place(outcome.Attempted, e.Path)}: {e.Message}" : e.Message);
            }
            return Page();
        }
        TempData["Notice"] = outcome.Saved ? $"項目「{name}」を保存しました。" : "変更はありませんでした。";
        return Redirect($"/staff/designer/{Slug}?focus=up-{at.Anchor}#up-{at.Anchor}");
    }

    private static readonly (string Suffix, string Input)[] Inputs =
    [
        (".type", "Kind"), (".key", "Key"), (".label.en", "LabelEn"), (".label.easy", "LabelEasy"), (".label", "LabelJa"),
        (".help.en", "HelpEn"), (".help.easy", "HelpEasy"), (".help", "HelpJa"), (".required", "Required"), (".sensitive", "Sensitive"),
        (".showWhen.in", "ConditionValues"), (".showWhen.equals", "ConditionValues"), (".showWhen", "ConditionField"),
        (".maxLength", "MaxLength"), (".min", "Min"), (".max", "Max"), (".unit", "Unit"), (".options", "Options"), (".accept", "Accept"),
        (".maxBytes", "MaxMegabytes"), (".maxFiles", "MaxFiles"), (".kana", "Kana"), (".addressField", "AddressField"), (".autocomplete", "Autocomplete"),
        (".statement.en", "StatementEn"), (".statement.easy", "StatementEasy"), (".statement", "StatementJa"),
        (".heading.en", "HeadingEn"), (".heading.easy", "HeadingEasy"), (".heading", "HeadingJa"),
        (".text.en", "TextEn"), (".text.easy", "TextEasy"), (".text", "TextJa"), (".yen", "Yen"), (".per", "Per"),
        (".itemLabel.en", "ItemLabelEn"), (".itemLabel.easy", "ItemLabelEasy"), (".itemLabel", "ItemLabelJa"),
    ];

    /// <summary>The input an error of this item belongs to, or null for errors elsewhere in the definition.</summary>
    private string? InputOf(ItemRef at, string path)
    {
        if (!path.StartsWith(at.Path, StringComparison.Ordinal)) return null;
        var rest = path[at.Path.Length..];
        if (rest.Length > 0 && rest[0] != '.') return null;
        if (rest.StartsWith(".fields", StringComparison.Ordinal)) return Existing is null && Input.Kind == "group" ? "Input.FirstFieldLabel" : null;
        // A group's min and max are inputs of their own.
        if (Input.Kind == "group" && rest is ".min" or ".max") return rest == ".min" ? "Input.GroupMin" : "Input.GroupMax";
        if (Input.Kind == "date" && rest is ".min" or ".max") return rest == ".min" ? "Input.Min" : "Input.Max";
        foreach (var (suffix, input) in Inputs)
        {
            if (rest.StartsWith(suffix, StringComparison.Ordinal)) return "Input." + input;
        }
        return rest.Length == 0 ? "" : null;
    }

    private FormItem? Build()
    {
        var i = Input;
        var condition = Condition();
        switch (i.Kind)
        {
            case "static":
                return new StaticText(Text(i.HeadingJa, i.HeadingEn, i.HeadingEasy), Text(i.TextJa, i.TextEn, i.TextEasy) ?? new LocalizedText(""), condition);
            case "fee":
                var yen = Number(i.Yen, "Input.Yen", "手数料");
                if (yen is null && ModelState.IsValid) ModelState.AddModelError("Input.Yen", "手数料の金額を円で入力してください（例: 300）");
                return new FeeDisplay(Label(), yen ?? 0, condition) { Per = Blank(i.Per) };
            case "group":
                var min = Number(i.GroupMin, "Input.GroupMin", "最小の数");
                var max = Number(i.GroupMax, "Input.GroupMax", "最大の数");
                IReadOnlyList<FormField> fields = Existing is FormGroup g ? g.Fields : [];
                if (Existing is null)
                {
                    if (string.IsNullOrWhiteSpace(i.FirstFieldLabel)) ModelState.AddModelError("Input.FirstFieldLabel", "繰り返す最初の項目のラベルを入力してください");
                    fields = [new FormField(FreeKey("item"), FieldType.Text, new LocalizedText(i.FirstFieldLabel?.Trim() ?? ""), null, null, false, false, null, FieldSettings.None)];
                }
                return new FormGroup(Key(), Label(), Text(i.HelpJa, i.HelpEn, i.HelpEasy), Text(i.ItemLabelJa, i.ItemLabelEn, i.ItemLabelEasy),
                    (int)(min ?? 0), (int)(max ?? 10), condition, fields);
            default:
                if (!FormParser.TypeNames.TryGetValue(i.Kind, out var type)) return null;
                var existing = Existing as FormField;
                return new FormField(Key(), type, Label(), Text(i.HelpJa, i.HelpEn, i.HelpEasy), existing?.Error,
                    i.Required || type == FieldType.Consent, i.Sensitive || type == FieldType.MyNumber, condition, Settings(type));
        }
    }

    private FieldSettings Settings(FieldType type)
    {
        var i = Input;
        var s = FieldSettings.None;
        switch (type)
        {
            case FieldType.Text or FieldType.LongText or FieldType.Address:
                s = s with { MaxLength = (int?)Number(i.MaxLength, "Input.MaxLength", "最大文字数") };
                break;
            case FieldType.Number:
                s = s with { Min = Number(i.Min, "Input.Min", "最小値"), Max = Number(i.Max, "Input.Max", "最大値"), Unit = Blank(i.Unit) };
                break;
            case FieldType.Date:
                s = s with { MinDate = Date(i.Min, "Input.Min", "いちばん前の日付"), MaxDate = Date(i.Max, "Input.Max", "いちばん後の日付") };
                break;
            case FieldType.Name:
                // Unset means "ask フリガナ"; only the exception is written.
                s = s with { Kana = i.Kana ? null : false };
                break;
            case FieldType.Postcode:
                s = s with { AddressField = Blank(i.AddressField) };
                break;
            case FieldType.Select or FieldType.Radio or FieldType.Checkbox:
                s = s with { Options = OptionList() };
                break;
            case FieldType.File:
                var mb = Number(i.MaxMegabytes, "Input.MaxMegabytes", "1ファイルの最大サイズ");
                s = s with
                {
                    Accept = i.Accept.Count == 0 ? null : [.. FormParser.FileTypes.Where(i.Accept.Contains)],
                    MaxBytes = mb is long m ? (m is > 0 and <= FormParser.MaxFileBytes / (1024 * 1024) ? m * 1024 * 1024 : Refuse("Input.MaxMegabytes", $"1ファイルの最大サイズは 1〜{FormParser.MaxFileBytes / (1024 * 1024)} MB で入力してください")) : null,
                    MaxFiles = (int?)Number(i.MaxFiles, "Input.MaxFiles", "ファイルの最大数"),
                };
                break;
            case FieldType.Consent:
                s = s with { Statement = Text(i.StatementJa, i.StatementEn, i.StatementEasy) ?? new LocalizedText("") };
                break;
            default:
                break;
        }
        if (type is FieldType.Text or FieldType.Email or FieldType.Phone) s = s with { Autocomplete = Blank(i.Autocomplete) };
        return s;
    }

    private long? Refuse(string input, string message)
    {
        ModelState.AddModelError(input, message);
        return null;
    }

    private List<FieldOption> OptionList()
    {
        var options = new List<FieldOption>();
        var lines = (Input.Options ?? "").Split('\n').Select(l => l.Trim()).ToList();
        for (var n = 0; n < lines.Count; n++)
        {
            if (lines[n].Length == 0) continue;
            var parts = lines[n].Split('|').Select(p => p.Trim()).ToArray();
            if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                ModelState.AddModelError("Input.Options", $"選択肢の{n + 1}行目「{lines[n]}」は「値|日本語」の形で書いてください（例: yes|はい|Yes|はい）");
                continue;
            }
            options.Add(new FieldOption(parts[0], new LocalizedText(parts[1], parts.Length > 2 ? Blank(parts[2]) : null, parts.Length > 3 ? Blank(parts[3]) : null)));
        }
        return options;
    }

    private FormCondition? Condition()
    {
        var i = Input;
        if (string.IsNullOrWhiteSpace(i.ConditionField)) return null;
        var values = (i.ConditionValues ?? "").Split([',', '、', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        switch (i.ConditionOperator)
        {
            case "filled":
                return new FormCondition(i.ConditionField.Trim(), ConditionOperator.Filled, []);
            case "in" or "equals" when values.Count == 0:
                ModelState.AddModelError("Input.ConditionValues", "表示する条件の値を入力してください（複数ならカンマ区切り）");
                return null;
            case "equals" when values.Count > 1:
                ModelState.AddModelError("Input.ConditionValues", "「等しい」の値は1つだけです。複数なら「いずれか」を選んでください");
                return null;
            case "equals":
                return new FormCondition(i.ConditionField.Trim(), ConditionOperator.Equals, values);
            case "in":
                return new FormCondition(i.ConditionField.Trim(), ConditionOperator.In, values);
            default:
                ModelState.AddModelError("Input.ConditionOperator", "表示する条件の種類を選んでください");
                return null;
        }
    }

    private string Key() => Input.Key?.Trim() ?? "";

    private LocalizedText Label() => Text(Input.LabelJa, Input.LabelEn, Input.LabelEasy) ?? new LocalizedText("");

    /// <summary>A text in three languages; null when all are empty (a missing Japanese text is left to the parser's message).</summary>
    private static LocalizedText? Text(string? ja, string? en, string? easy)
        => Blank(ja) is null && Blank(en) is null && Blank(easy) is null ? null : new LocalizedText(ja?.Trim() ?? "", Blank(en), Blank(easy));

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private long? Number(string? text, string input, string what)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var s = text.Normalize(NormalizationForm.FormKC).Replace(",", "", StringComparison.Ordinal).Trim();
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        ModelState.AddModelError(input, $"{what}は整数で入力してください（「{text}」は数として読めません）");
        return null;
    }

    private DateOnly? Date(string? text, string input, string what)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (Shared.Japanese.Wareki.ParseDate(text) is { } d) return d;
        ModelState.AddModelError(input, $"{what}は 2025-04-01 や 令和7年4月1日 の形で入力してください（「{text}」は日付として読めません）");
        return null;
    }

    /// <summary>A key not used anywhere in the form: prefix1, prefix2 …</summary>
    private string FreeKey(string prefix)
    {
        var used = KeyChanges.Keys(Definition);
        var n = used.Count + 1;
        while (used.Contains($"{prefix}{n}")) n++;
        return $"{prefix}{n}";
    }

    private InputModel Fresh(string kind) => new()
    {
        Kind = kind,
        Key = kind is "static" or "fee" ? null : FreeKey(kind == "group" ? "group" : "item"),
        Required = kind == "consent",
        Options = kind is "select" or "radio" or "checkbox" ? "yes|はい|Yes|はい\nno|いいえ|No|いいえ" : null,
        GroupMin = kind == "group" ? "1" : null,
        GroupMax = kind == "group" ? "10" : null,
    };

    private static InputModel From(FormItem item)
    {
        static string? N(long? n) => n?.ToString(CultureInfo.InvariantCulture);
        static string? D(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var kind = DesignerText.KindOf(item);
        var c = item switch { FormField x => x.ShowWhen, FormGroup x => x.ShowWhen, StaticText x => x.ShowWhen, FeeDisplay x => x.ShowWhen, _ => null };
        var m = new InputModel
        {
            Kind = kind,
            ConditionField = c?.Field,
            ConditionOperator = c?.Operator switch { ConditionOperator.Equals => "equals", ConditionOperator.In => "in", ConditionOperator.Filled => "filled", _ => null },
            ConditionValues = c is null ? null : string.Join(", ", c.Values),
        };
        return item switch
        {
            FormField f => m with
            {
                Key = f.Key,
                LabelJa = f.Label.Ja,
                LabelEn = f.Label.En,
                LabelEasy = f.Label.Easy,
                HelpJa = f.Help?.Ja,
                HelpEn = f.Help?.En,
                HelpEasy = f.Help?.Easy,
                Required = f.Required,
                Sensitive = f.Sensitive,
                MaxLength = N(f.Settings.MaxLength),
                Min = N(f.Settings.Min) ?? D(f.Settings.MinDate),
                Max = N(f.Settings.Max) ?? D(f.Settings.MaxDate),
                Unit = f.Settings.Unit,
                Options = f.Settings.Options is { } o ? string.Join("\n", o.Select(x => string.Join("|", new[] { x.Value, x.Label.Ja, x.Label.En ?? "", x.Label.Easy ?? "" }).TrimEnd('|'))) : null,
                Accept = [.. f.Settings.Accept ?? []],
                MaxMegabytes = N(f.Settings.MaxBytes / (1024 * 1024)),
                MaxFiles = N(f.Settings.MaxFiles),
                Kana = f.Settings.Kana ?? true,
                AddressField = f.Settings.AddressField,
                Autocomplete = f.Settings.Autocomplete,
                StatementJa = f.Settings.Statement?.Ja,
                StatementEn = f.Settings.Statement?.En,
                StatementEasy = f.Settings.Statement?.Easy,
            },
            FormGroup g => m with
            {
                Key = g.Key,
                LabelJa = g.Label.Ja,
                LabelEn = g.Label.En,
                LabelEasy = g.Label.Easy,
                HelpJa = g.Help?.Ja,
                HelpEn = g.Help?.En,
                HelpEasy = g.Help?.Easy,
                ItemLabelJa = g.ItemLabel?.Ja,
                ItemLabelEn = g.ItemLabel?.En,
                ItemLabelEasy = g.ItemLabel?.Easy,
                GroupMin = N(g.Min),
                GroupMax = N(g.Max),
            },
            StaticText t => m with
            {
                HeadingJa = t.Heading?.Ja,
                HeadingEn = t.Heading?.En,
                HeadingEasy = t.Heading?.Easy,
                TextJa = t.Text.Ja,
                TextEn = t.Text.En,
                TextEasy = t.Text.Easy,
            },
            FeeDisplay fee => m with { LabelJa = fee.Label.Ja, LabelEn = fee.Label.En, LabelEasy = fee.Label.Easy, Yen = N(fee.Yen), Per = fee.Per },
            _ => m,
        };
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var loaded = await store.LoadAsync(User, Slug, ct);
        if (loaded is null || PageIndex < 0 || PageIndex >= loaded.Definition.Pages.Count) return false;
        Loaded = loaded;
        if (Index is int index)
        {
            Existing = DefinitionEdits.Get(Definition, new ItemRef(PageIndex, index, Sub));
            if (Existing is null) return false;
        }
        else
        {
            var kinds = Group is null ? DesignerText.Kinds.Select(k => k.Value) : FormParser.TypeNames.Keys;
            if (Add is null || !kinds.Contains(Add)) return false;
            if (Group is int g && (g < 0 || g >= Definition.Pages[PageIndex].Items.Count || Definition.Pages[PageIndex].Items[g] is not FormGroup)) return false;
        }
        // Conditions may use fields that come before: earlier pages, and earlier items of this page (this group's own fields inside a group).
        var earlier = new List<FormField>();
        for (var p = 0; p <= PageIndex; p++)
        {
            var items = Definition.Pages[p].Items;
            var upTo = p < PageIndex ? items.Count : Index ?? Group ?? items.Count;
            earlier.AddRange(items.Take(upTo).OfType<FormField>());
            if (p == PageIndex && (Index ?? Group) is int gi && gi < items.Count && items[gi] is FormGroup own && (Sub is not null || Group is not null))
            {
                earlier.AddRange(own.Fields.Take(Sub ?? own.Fields.Count));
            }
        }
        Earlier = earlier;
        return true;
    }
}
