using System.Globalization;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// What a form must satisfy before residents get it, beyond being well formed (<see cref="FormParser"/>):
/// Japanese texts, keys the browser and the page can tell apart, conditions that can hold, 個人番号 only
/// on procedures that use it, and accessibility of the pages as they are really rendered
/// (<see cref="FormPreview"/>). Every problem is listed at once, with where it is and how to fix it.
/// </summary>
public sealed class PublishChecks(MadoguchiDbContext db, IServiceScopeFactory scopes)
{
    /// <summary>
    /// Names a top-level answer cannot have: the fill page posts its buttons as <c>action</c>, Razor Pages
    /// picks a handler by <c>handler</c>, and <c>slug</c>/<c>step</c> are bound from the address (a posted
    /// value would win over it). Compared without case, as posted names are.
    /// </summary>
    public static readonly IReadOnlyList<string> ReservedKeys = ["action", "handler", "slug", "step"];

    /// <summary>Problems of the working definition of form <paramref name="slug"/>, without publishing it (for the designer).</summary>
    /// <exception cref="FormRefusedException">There is no such form.</exception>
    public async Task<IReadOnlyList<FormError>> CheckAsync(string slug, CancellationToken ct)
    {
        var form = await db.Forms.AsNoTracking().Include(f => f.Procedure).FirstOrDefaultAsync(f => f.Slug == slug, ct)
            ?? throw new FormRefusedException($"フォーム '{slug}' はありません。先に `./madoguchi form import` で取り込んでください（一覧は `./madoguchi form list`）。");
        return await CheckAsync(form.WorkingJson, form.Procedure!, ct);
    }

    /// <summary>Problems of a definition given as JSON, for the procedure it would be published on.</summary>
    public async Task<IReadOnlyList<FormError>> CheckAsync(string json, Procedure procedure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(procedure);
        // Parsed as if 個人番号 were allowed, so that rule is reported together with all the others.
        var parsed = FormParser.Parse(json, procedureUsesMyNumber: true);
        return parsed.Definition is null ? parsed.Errors : await CheckAsync(parsed.Definition, procedure, ct);
    }

    /// <summary>All problems of a definition (also one built in code): the definition's rules, then the rendered pages.</summary>
    public async Task<IReadOnlyList<FormError>> CheckAsync(FormDefinition definition, Procedure procedure, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(procedure);
        var errors = Definition(definition, procedure.UsesMyNumber, out var sound);
        // Pages are rendered only from a definition the parser accepts: the page code relies on its guarantees.
        if (sound) errors.AddRange(await FormPreview.CheckAsync(db, scopes, definition, procedure, Scenarios(definition), ct));
        return errors;
    }

    /// <summary>The rules on the definition alone (no rendering), e.g. for checking as an author types.</summary>
    public static IReadOnlyList<FormError> Definition(FormDefinition definition, bool procedureUsesMyNumber)
        => Definition(definition, procedureUsesMyNumber, out _);

    private static List<FormError> Definition(FormDefinition definition, bool procedureUsesMyNumber, out bool sound)
    {
        ArgumentNullException.ThrowIfNull(definition);
        // A definition built in code goes through the parser too, so its format rules (keys written twice,
        // conditions on unknown or later fields, values that are not options …) are not written twice.
        var parsed = FormParser.Parse(FormJson.Write(definition), procedureUsesMyNumber: true);
        sound = parsed.Errors.Count == 0;
        var errors = new List<FormError>(parsed.Errors);
        errors.AddRange(MyNumber(definition, procedureUsesMyNumber));
        errors.AddRange(JapaneseTexts(definition));
        errors.AddRange(Keys(definition));
        if (sound) errors.AddRange(new Visibility(definition).Problems());
        return errors;
    }

    /// <summary>個人番号 may be collected only on a procedure marked in the inventory as using it (番号法).</summary>
    public static IReadOnlyList<FormError> MyNumber(FormDefinition definition, bool procedureUsesMyNumber)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (procedureUsesMyNumber) return [];
        return [.. Placed.All(definition).Where(p => p.Item is FormField { Type: FieldType.MyNumber }).Select(p => new FormError(p.Path + ".type",
            "この手続は個人番号を利用する手続とされていないため、個人番号（my-number）の項目は置けません。法令で個人番号を利用する手続なら、先に棚卸で「個人番号利用」を設定してください。" +
            $"（{p.Where}）"))];
    }

    /// <summary>Every text a resident reads must have Japanese in its ja; an English word or an invisible character there is a mistake.</summary>
    private static IEnumerable<FormError> JapaneseTexts(FormDefinition definition)
    {
        IEnumerable<(string Path, string Name, string Where, LocalizedText? Text)> Texts()
        {
            yield return ("$.title", "フォームの題名", "フォーム", definition.Title);
            yield return ("$.description", "フォームの説明", "フォーム", definition.Description);
            foreach (var p in Placed.All(definition))
            {
                switch (p.Item)
                {
                    case null:
                        var page = definition.Pages[p.Page];
                        yield return (p.Path + ".title", "ページの題名", p.Where, page.Title);
                        break;
                    case StaticText s:
                        yield return (p.Path + ".heading", "見出し", p.Where, s.Heading);
                        yield return (p.Path + ".text", "本文", p.Where, s.Text);
                        break;
                    case FeeDisplay f:
                        yield return (p.Path + ".label", "手数料の名前", p.Where, f.Label);
                        break;
                    case FormGroup g:
                        yield return (p.Path + ".label", "グループの名前", p.Where, g.Label);
                        yield return (p.Path + ".help", "グループの説明", p.Where, g.Help);
                        yield return (p.Path + ".itemLabel", "1件ごとの名前", p.Where, g.ItemLabel);
                        break;
                    case FormField f:
                        yield return (p.Path + ".label", "項目名（ラベル）", p.Where, f.Label);
                        yield return (p.Path + ".help", "説明", p.Where, f.Help);
                        yield return (p.Path + ".error", "誤りのメッセージ", p.Where, f.Error);
                        yield return (p.Path + ".statement", "同意する内容", p.Where, f.Settings.Statement);
                        foreach (var (o, i) in (f.Settings.Options ?? []).Select((o, i) => (o, i)))
                        {
                            yield return ($"{p.Path}.options[{i}].label", $"選択肢 '{o.Value}' の名前", p.Where, o.Label);
                        }
                        break;
                }
            }
        }

        foreach (var (path, name, where, text) in Texts())
        {
            if (text is null || IsJapanese(text.Ja)) continue;
            yield return new FormError(path + ".ja", $"{where}の{name}「{text.Ja}」に日本語がありません。ja には利用者が読む日本語を書いてください（英語は en に書きます）。");
        }
    }

    /// <summary>
    /// True when the text has kana or kanji, or is only digits and signs such as "1" or "2〜3"; false
    /// for Latin words ("Name") and for text with nothing visible (a zero-width space).
    /// </summary>
    public static bool IsJapanese(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var anyVisible = false;
        var latin = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uF900' and <= '\uFAFF')
                or (>= '\uFF66' and <= '\uFF9F') or '々' or '〆' or '〇')
            {
                return true;
            }
            // Kanji beyond the BMP (𠮷 and other 行政事務標準文字) come as surrogate pairs in planes 2 and 3.
            if (char.IsHighSurrogate(c) && c is >= '\uD840' and <= '\uD8BF') return true;
            if (char.IsAsciiLetter(c) || (c is >= '\uFF21' and <= '\uFF5A' && char.IsLetter(c))) latin = true;
            if (char.IsLetterOrDigit(c) || char.IsPunctuation(c) || char.IsSymbol(c)) anyVisible = true;
        }
        return anyVisible && !latin;
    }

    /// <summary>Keys that differ only in case, or that the fill page uses itself, mix up the posted answers.</summary>
    private static IEnumerable<FormError> Keys(FormDefinition definition)
    {
        var seen = new Dictionary<string, Placed>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in Placed.All(definition))
        {
            var key = p.Key;
            if (key is null) continue;
            if (p.Group is null && ReservedKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                yield return new FormError(p.Path + ".key", $"{p.Where}の key '{key}' は申請画面が内部で使う名前（{string.Join("、", ReservedKeys)}）なので使えません。別の key にしてください（例: {key}Kind）。");
            }
            if (seen.TryGetValue(key, out var first))
            {
                // Same spelling is the parser's error; here only keys that differ in case alone.
                if (first.Key != key)
                {
                    yield return new FormError(p.Path + ".key", $"{p.Where}の key '{key}' は{first.Where}の key '{first.Key}' と大文字・小文字だけが違います。" +
                                                                "送られた回答の名前は大文字・小文字を区別せずに読まれるため回答が混ざります。どちらかを別の key にしてください。");
                }
            }
            else
            {
                seen[key] = p;
            }
        }
    }

    /// <summary>Answers under which each conditional page and item is shown, so the preview renders all of them.</summary>
    private static IReadOnlyList<FormPreview.Scenario> Scenarios(FormDefinition definition) => new Visibility(definition).Scenarios();

    /// <summary>A page (Item null), item or group field with its JSON path and a Japanese "where" for messages.</summary>
    internal sealed record Placed(FormItem? Item, string Path, int Page, FormGroup? Group, string Where)
    {
        public string? Key => Item switch { FormField f => f.Key, FormGroup g => g.Key, _ => null };

        public static IEnumerable<Placed> All(FormDefinition definition)
        {
            for (var p = 0; p < definition.Pages.Count; p++)
            {
                var page = definition.Pages[p];
                var pagePath = $"$.pages[{p}]";
                var pageWhere = $"ページ '{page.Key}'";
                yield return new Placed(null, pagePath, p, null, pageWhere);
                for (var i = 0; i < page.Items.Count; i++)
                {
                    var item = page.Items[i];
                    var path = $"{pagePath}.items[{i}]";
                    var where = item switch
                    {
                        FormField f => $"{pageWhere} の項目 '{f.Key}'",
                        FormGroup g => $"{pageWhere} のグループ '{g.Key}'",
                        StaticText => $"{pageWhere} の{i + 1}番目の文章",
                        _ => $"{pageWhere} の{i + 1}番目の手数料",
                    };
                    yield return new Placed(item, path, p, null, where);
                    if (item is not FormGroup group) continue;
                    for (var k = 0; k < group.Fields.Count; k++)
                    {
                        yield return new Placed(group.Fields[k], $"{path}.fields[{k}]", p, group, $"{pageWhere} のグループ '{group.Key}' の項目 '{group.Fields[k].Key}'");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether each page and item can ever be shown. Conditions are decided on the normalised answers
    /// (<see cref="AnswerChecker"/>), so a value the field never stores (2025/4/1 for a date kept as
    /// 2025-04-01, "abc" for a number) never matches; an item also needs what its condition's field
    /// needs, and a radio or select cannot hold two different values at once.
    /// </summary>
    private sealed class Visibility
    {
        private readonly FormDefinition _form;
        private readonly List<Placed> _placed;
        private readonly Dictionary<string, Placed> _fields = new(StringComparer.Ordinal);
        private readonly Dictionary<Placed, Need> _needs = [];

        /// <summary>What must hold for something to be shown: per field, the values it must have (null = any, filled).</summary>
        private sealed record Need(string? Problem, IReadOnlyList<(Placed Field, IReadOnlyList<string>? Values)> Atoms);

        public Visibility(FormDefinition form)
        {
            _form = form;
            _placed = [.. Placed.All(form)];
            foreach (var p in _placed)
            {
                if (p.Item is FormField f) _fields[f.Key] = p;
            }
        }

        private static FormCondition? ShowWhen(Placed p, FormDefinition form) => p.Item switch
        {
            null => form.Pages[p.Page].ShowWhen,
            FormField f => f.ShowWhen,
            FormGroup g => g.ShowWhen,
            StaticText s => s.ShowWhen,
            FeeDisplay fee => fee.ShowWhen,
            _ => null,
        };

        private Placed PageOf(Placed p) => _placed.First(x => x.Item is null && x.Page == p.Page);

        private Placed GroupOf(Placed p) => _placed.First(x => ReferenceEquals(x.Item, p.Group));

        private Need NeedOf(Placed p)
        {
            if (_needs.TryGetValue(p, out var known)) return known;
            var atoms = new List<(Placed, IReadOnlyList<string>?)>();
            string? problem = null;
            // What contains this (page, then group) must be shown first.
            var outer = p.Item is null ? null : p.Group is not null ? GroupOf(p) : PageOf(p);
            if (outer is not null)
            {
                var o = NeedOf(outer);
                if (o.Problem is not null) problem = o.Problem;
                atoms.AddRange(o.Atoms);
            }
            if (problem is null && ShowWhen(p, _form) is { } c && _fields.TryGetValue(c.Field, out var target))
            {
                var t = NeedOf(target);
                if (p.Group is not null && target.Group != p.Group)
                {
                    problem = $"条件の項目 '{c.Field}' がグループ '{p.Group.Key}' の外にあります。グループの中の項目の条件は、同じ1件の中の回答だけで判断されるため決して満たされません。" +
                              "条件をグループ自体に付けるか、グループの中の項目を指定してください。";
                }
                else if (t.Problem is not null)
                {
                    problem = $"条件の項目 '{c.Field}' が決して表示されないため、この条件も満たされません（'{c.Field}': {t.Problem}）。";
                }
                else
                {
                    atoms.AddRange(t.Atoms);
                    IReadOnlyList<string>? values = null;
                    if (c.Operator != ConditionOperator.Filled)
                    {
                        var field = (FormField)target.Item!;
                        var possible = c.Values.Where(v => CanHold(field, v)).ToList();
                        if (possible.Count == 0)
                        {
                            problem = $"条件の値 {string.Join("、", c.Values.Select(v => $"'{v}'"))} は項目 '{c.Field}' が取り得ない値です（回答は {Stored(field)} の形で保存され、それと比べます）。" +
                                      "保存される形の値を書いてください。";
                        }
                        values = possible;
                    }
                    if (problem is null) atoms.Add((target, values));
                }
            }
            if (problem is null)
            {
                // A radio, select, date … holds one value: two conditions asking different values of it never both hold.
                foreach (var byField in atoms.GroupBy(a => a.Item1).Where(g => ((FormField)g.Key.Item!).Type != FieldType.Checkbox))
                {
                    var sets = byField.Select(a => a.Item2).Where(v => v is not null).ToList();
                    if (sets.Count < 2) continue;
                    var common = sets.Skip(1).Aggregate((IEnumerable<string>)sets[0]!, (acc, s) => acc.Intersect(s!, StringComparer.Ordinal)).ToList();
                    if (common.Count == 0)
                    {
                        problem = $"表示の条件が項目 '{((FormField)byField.Key.Item!).Key}' に同時に違う値（{string.Join(" と ", sets.Select(s => string.Join("/", s!)))}）を求めていて、決して満たされません。" +
                                  "ページ・グループ・項目の条件が食い違わないように直してください。";
                        break;
                    }
                }
            }
            var need = new Need(problem, atoms);
            _needs[p] = need;
            return need;
        }

        public IEnumerable<FormError> Problems()
        {
            foreach (var p in _placed)
            {
                var need = NeedOf(p);
                if (need.Problem is null) continue;
                // One message for the page or group that is never shown, not one more per item inside it.
                var outer = p.Item is null ? null : p.Group is not null ? GroupOf(p) : PageOf(p);
                if (outer is not null && NeedOf(outer).Problem is not null) continue;
                var what = p.Item switch
                {
                    null => "このページは",
                    FormField { Required: true } => "この必須の項目は",
                    _ => "これは",
                };
                yield return new FormError(p.Path + ".showWhen", $"{p.Where}: {what}どう回答しても表示されません。{need.Problem}");
            }
        }

        /// <summary>Per page: answers that show the page, and more answers for its conditional items, merged where they agree.</summary>
        public IReadOnlyList<FormPreview.Scenario> Scenarios()
        {
            var scenarios = new List<FormPreview.Scenario>();
            for (var page = 0; page < _form.Pages.Count; page++)
            {
                var pageNeed = NeedOf(_placed.First(x => x.Item is null && x.Page == page));
                if (pageNeed.Problem is not null) continue;
                var mine = new List<Dictionary<Placed, JsonNode>>();
                foreach (var p in _placed.Where(x => x.Page == page && (x.Item is null || ShowWhen(x, _form) is not null)))
                {
                    var need = NeedOf(p);
                    if (need.Problem is not null || Witness(need) is not { } w) continue;
                    // The page as first shown stays a scenario of its own: its fields are then all posted wrong.
                    var merged = p.Item is null ? null : mine.Skip(1).FirstOrDefault(s => w.All(kv => !s.TryGetValue(kv.Key, out var v) || JsonNode.DeepEquals(v, kv.Value)));
                    if (merged is null) mine.Add(w);
                    else foreach (var (k, v) in w) merged[k] = v;
                }
                foreach (var w in mine) scenarios.Add(new FormPreview.Scenario(page, Answers(w), [.. w.Keys.Select(k => ((FormField)k.Item!).Key)]));
            }
            return scenarios;
        }

        /// <summary>One answer per field the need mentions (as a resident would type it), or null when none can be made (files).</summary>
        private static Dictionary<Placed, JsonNode>? Witness(Need need)
        {
            var answers = new Dictionary<Placed, JsonNode>();
            foreach (var byField in need.Atoms.GroupBy(a => a.Field))
            {
                var field = (FormField)byField.Key.Item!;
                var sets = byField.Select(a => a.Values).Where(v => v is not null).Select(v => v!).ToList();
                JsonNode? value;
                if (sets.Count == 0) value = Sample(field);
                else if (field.Type == FieldType.Checkbox) value = new JsonArray([.. sets.Select(s => (JsonNode)JsonValue.Create(s[0])!).DistinctBy(n => n.ToJsonString())]);
                else value = sets.Skip(1).Aggregate((IEnumerable<string>)sets[0], (acc, s) => acc.Intersect(s, StringComparer.Ordinal)).Select(v => (JsonNode)JsonValue.Create(v)!).FirstOrDefault();
                if (value is null) return null;
                answers[byField.Key] = value;
            }
            return answers;
        }

        private static JsonObject Answers(Dictionary<Placed, JsonNode> witness)
        {
            var answers = new JsonObject();
            foreach (var (p, value) in witness)
            {
                var key = ((FormField)p.Item!).Key;
                if (p.Group is null)
                {
                    answers[key] = value.DeepClone();
                    continue;
                }
                if (answers[p.Group.Key] is not JsonArray items) answers[p.Group.Key] = items = [new JsonObject()];
                items[0]![key] = value.DeepClone();
            }
            return answers;
        }
    }

    /// <summary>Whether a condition's value can equal what the field stores: the stored form of the value is the value itself.</summary>
    internal static bool CanHold(FormField field, string value)
    {
        var probe = field with { Required = false, ShowWhen = null };
        var form = new FormDefinition("probe", "", new LocalizedText("確認"), null, 1, [new FormPage("probe", new LocalizedText("確認"), null, [probe])]);
        JsonNode answer = field.Type == FieldType.Checkbox ? new JsonArray(JsonValue.Create(value)) : JsonValue.Create(value);
        var stored = AnswerChecker.Check(form, new JsonObject { [field.Key] = answer }, AnswerChecker.Mode.Lenient).Answers;
        return AnswerChecker.Holds(new FormCondition(field.Key, ConditionOperator.Equals, [value]), stored);
    }

    /// <summary>How a field's answer is stored, for messages.</summary>
    private static string Stored(FormField field) => field.Type switch
    {
        FieldType.Date => "西暦の 2025-04-01",
        FieldType.Number => "半角数字の整数（範囲内）",
        FieldType.Postcode => "郵便番号（例 135-8383 を 1358383 のように）",
        FieldType.Consent => "true（同意した）",
        FieldType.Name or FieldType.BankAccount => "複数の部分からなる値（条件には filled だけが使えます）",
        _ => "入力を整えた値",
    };

    /// <summary>A valid answer of each type, as typed, for showing items that need the field filled.</summary>
    internal static JsonNode? Sample(FormField field) => field.Type switch
    {
        FieldType.Text or FieldType.LongText => "確認",
        FieldType.Address => "東京都江東区東陽四丁目11番28号",
        FieldType.Email => "kakunin@example.jp",
        FieldType.Phone => "03-3647-9111",
        FieldType.Postcode => "1358383",
        FieldType.Number => (field.Settings.Min ?? Math.Min(1, field.Settings.Max ?? 1)).ToString(CultureInfo.InvariantCulture),
        FieldType.Date => (field.Settings.MinDate ?? field.Settings.MaxDate ?? new DateOnly(2000, 1, 1)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        FieldType.Select or FieldType.Radio => field.Settings.Options?[0].Value,
        FieldType.Checkbox => new JsonArray(JsonValue.Create(field.Settings.Options?[0].Value)),
        FieldType.Consent => true,
        FieldType.Name => new JsonObject { ["family"] = "江東", ["given"] = "花子", ["familyKana"] = "コウトウ", ["givenKana"] = "ハナコ" },
        FieldType.CorporateNumber => "8000012010038",
        FieldType.MyNumber => "123456789018",
        FieldType.BankAccount => new JsonObject { ["bank"] = "0001", ["branch"] = "001", ["type"] = "ordinary", ["number"] = "1234567", ["holder"] = "コウトウ ハナコ" },
        // A file answer is an attachment of the draft; none can be made up here.
        _ => null,
    };
}
