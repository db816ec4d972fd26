using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>One refused answer: where (<c>key</c>, <c>group[1].key</c>, <c>key.part</c>), a stable code and the message.</summary>
public sealed record AnswerError(string Field, string Code, FieldMessage Message);

/// <summary>The answers as stored (normalised, hidden ones dropped) or why they cannot be accepted.</summary>
public sealed record CheckedAnswers(JsonObject Answers, IReadOnlyList<AnswerError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Checks a resident's answers against a published form version, the same rules for the web pages
/// and the API. Answers are a JSON object keyed by field key (docs/forms-format.md, "Answers"):
/// strings for most types, arrays for checkboxes, files and groups, objects for 氏名 and bank accounts.
/// Conditions are evaluated on the normalised answers, in form order, so a hidden field is never
/// required and its answer never stored.
/// </summary>
public static class AnswerChecker
{
    public enum Mode
    {
        /// <summary>
        /// API: answers for unknown or hidden fields are refused, so a client learns its mistake; so is any file answer,
        /// as the API has no upload (files are attached to a draft through the web form).
        /// </summary>
        Strict,
        /// <summary>Web pages: stale answers of pages that became hidden are dropped silently.</summary>
        Lenient,
    }

    /// <summary>Checks only the fields of the given pages (a page being left), or all pages when null.</summary>
    public static CheckedAnswers Check(FormDefinition form, JsonObject? answers, Mode mode, ISet<string>? pages = null)
    {
        ArgumentNullException.ThrowIfNull(form);
        answers ??= [];
        var result = new JsonObject();
        var errors = new List<AnswerError>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var page in form.Pages)
        {
            var pageShown = Holds(page.ShowWhen, result);
            foreach (var item in page.Items)
            {
                var key = item switch { FormField f => f.Key, FormGroup g => g.Key, _ => null };
                if (key is null) continue;
                known.Add(key);
                var given = answers.TryGetPropertyValue(key, out var node) && !IsEmpty(node);
                var shown = pageShown && Holds(ShowWhen(item), result);
                if (!shown)
                {
                    if (given && mode == Mode.Strict) errors.Add(new(key, "not-shown", NotShown()));
                    continue;
                }
                var checkThis = pages is null || pages.Contains(page.Key);
                switch (item)
                {
                    case FormField field:
                        var value = CheckField(field, given ? node : null, key, errors, report: checkThis, mode);
                        if (value is not null) result[key] = value;
                        break;
                    case FormGroup group:
                        var items = CheckGroup(group, given ? node : null, errors, mode, report: checkThis);
                        if (items is not null) result[key] = items;
                        break;
                }
            }
        }
        if (mode == Mode.Strict)
        {
            foreach (var (key, _) in answers)
            {
                if (!known.Contains(key)) errors.Add(new(key, "unknown-field", UnknownField(key)));
            }
        }
        return new CheckedAnswers(result, errors);
    }

    private static FormCondition? ShowWhen(FormItem item) => item switch
    {
        FormField f => f.ShowWhen,
        FormGroup g => g.ShowWhen,
        _ => null,
    };

    /// <summary>A condition on an earlier, already normalised answer.</summary>
    public static bool Holds(FormCondition? condition, JsonObject answers)
    {
        if (condition is null) return true;
        if (!answers.TryGetPropertyValue(condition.Field, out var node) || node is null) return false;
        if (condition.Operator == ConditionOperator.Filled) return !IsEmpty(node);
        var values = node is JsonArray array
            ? array.Select(n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : n?.ToJsonString()).ToList()
            : [Scalar(node)];
        return values.Any(v => v is not null && condition.Values.Contains(v));
    }

    private static JsonArray? CheckGroup(FormGroup group, JsonNode? node, List<AnswerError> errors, Mode mode, bool report)
    {
        // Each item with its position as sent: the page draws every item, empty ones too, so an error's
        // path keeps that position and lands on the item the resident sees (not on an empty one before it).
        var list = new List<(JsonObject Answers, int Index)>();
        if (node is not null)
        {
            if (node is not JsonArray array || array.Any(n => n is not JsonObject))
            {
                if (report) errors.Add(new(group.Key, "invalid-shape", Shape("配列（項目ごとのオブジェクト）", "an array of objects")));
                return null;
            }
            list.AddRange(array.Cast<JsonObject>().Select((o, i) => (o, i)));
        }
        // Items left completely empty (an added row never filled in) do not count.
        list.RemoveAll(x => x.Answers.All(kv => IsEmpty(kv.Value)));
        if (report && list.Count < group.Min) errors.Add(new(group.Key, "too-few", TooFew(group.Min)));
        if (report && list.Count > group.Max) errors.Add(new(group.Key, "too-many", TooMany(group.Max)));

        var result = new JsonArray();
        foreach (var (answers, i) in list) result.Add(CheckItem(group, answers, i, errors, mode, report));
        return result;
    }

    /// <summary>
    /// One item of a group as the checker stores it (lenient, no errors): what its fields' conditions are
    /// decided on, so that the fill page draws an item's conditional fields exactly when they count.
    /// </summary>
    public static JsonObject NormalisedItem(FormGroup group, JsonObject? item)
    {
        ArgumentNullException.ThrowIfNull(group);
        return CheckItem(group, item ?? [], 0, [], Mode.Lenient, report: false);
    }

    private static JsonObject CheckItem(FormGroup group, JsonObject answers, int i, List<AnswerError> errors, Mode mode, bool report)
    {
        var normalised = new JsonObject();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in group.Fields)
        {
            known.Add(field.Key);
            var path = $"{group.Key}[{i}].{field.Key}";
            var given = answers.TryGetPropertyValue(field.Key, out var value) && !IsEmpty(value);
            if (!Holds(field.ShowWhen, normalised))
            {
                if (given && mode == Mode.Strict) errors.Add(new(path, "not-shown", NotShown()));
                continue;
            }
            var v = CheckField(field, given ? value : null, path, errors, report, mode);
            if (v is not null) normalised[field.Key] = v;
        }
        if (mode == Mode.Strict)
        {
            foreach (var (key, _) in answers)
            {
                if (!known.Contains(key)) errors.Add(new($"{group.Key}[{i}].{key}", "unknown-field", UnknownField(key)));
            }
        }
        return normalised;
    }

    /// <summary>The normalised answer, or null (nothing to store) after adding any error.</summary>
    private static JsonNode? CheckField(FormField field, JsonNode? node, string path, List<AnswerError> errors, bool report, Mode mode)
    {
        if (mode == Mode.Strict && field.Type == FieldType.File)
        {
            // An id in a JSON body would name no file uploaded for this application, so a required file could be
            // skipped with any GUID. Told before the form's own wording, which would only ask for the file again.
            if (report && node is not null) errors.Add(new(path, "file-not-accepted", FilesNotAccepted()));
            else if (report && field.Required) errors.Add(new(path, "required", FileRequiredNotAccepted()));
            return null;
        }
        var before = errors.Count;
        var value = Normalise(field, node, path, errors);
        if (!report)
        {
            errors.RemoveRange(before, errors.Count - before);
        }
        else if (errors.Count > before && field.Error is { } custom)
        {
            // The form's own wording replaces the standard message (e.g. "選んでください" for one field).
            for (var i = before; i < errors.Count; i++)
            {
                errors[i] = errors[i] with { Message = new FieldMessage(custom.Ja, custom.En ?? errors[i].Message.En, custom.Easy is null ? errors[i].Message.EasyHtml : EasyText.ToHtml(custom.Easy)) };
            }
        }
        return errors.Count > before ? null : value;
    }

    private static JsonNode? Normalise(FormField field, JsonNode? node, string path, List<AnswerError> errors)
    {
        if (node is null)
        {
            if (field.Required || field.Type == FieldType.Consent) errors.Add(new(path, "required", Required(field.Type)));
            return null;
        }
        var s = field.Settings;
        switch (field.Type)
        {
            case FieldType.Text:
                return One(TextField.Validate(Str(node), s.MaxLength ?? 1000), path, errors, v => v);
            case FieldType.LongText:
                return One(TextField.Validate(Str(node), s.MaxLength ?? 10000, multiline: true), path, errors, v => v);
            case FieldType.Address:
                return One(AddressField.Validate(Str(node), s.MaxLength ?? 1000), path, errors, v => v);
            case FieldType.Email:
                return One(EmailField.Validate(Str(node)), path, errors, v => v);
            case FieldType.Phone:
                return One(PhoneField.Validate(Str(node)), path, errors, v => v.National);
            case FieldType.Postcode:
                return One(PostcodeField.Validate(Str(node)), path, errors, v => v);
            case FieldType.MyNumber:
                return One(MyNumberField.Validate(Str(node)), path, errors, v => v);
            case FieldType.CorporateNumber:
                return One(CorporateNumberField.Validate(Str(node)), path, errors, v => v);
            case FieldType.Number:
                return One(NumberField.Integer(Str(node), s.Min, s.Max), path, errors, v => v.ToString(CultureInfo.InvariantCulture));
            case FieldType.Date:
                {
                    var date = DateField.Validate(Str(node));
                    if (!date.IsValid) return One(date, path, errors, v => v.Iso);
                    if (s.MinDate is { } min && date.Value.Date < min)
                    {
                        errors.Add(new(path, "too-early", Message($"{Wareki.Format(min)}（{min:yyyy-MM-dd}）以降の日付を入力してください。", $"Enter a date on or after {min:yyyy-MM-dd}.", $"{min:yyyy-MM-dd}より あとの <ruby>日<rt>ひ</rt></ruby>を <ruby>書<rt>か</rt></ruby>いてください。")));
                        return null;
                    }
                    if (s.MaxDate is { } max && date.Value.Date > max)
                    {
                        errors.Add(new(path, "too-late", Message($"{Wareki.Format(max)}（{max:yyyy-MM-dd}）以前の日付を入力してください。", $"Enter a date on or before {max:yyyy-MM-dd}.", $"{max:yyyy-MM-dd}より まえの <ruby>日<rt>ひ</rt></ruby>を <ruby>書<rt>か</rt></ruby>いてください。")));
                        return null;
                    }
                    return date.Value.Iso;
                }
            case FieldType.Select or FieldType.Radio:
                {
                    var v = Str(node);
                    if (v is null || s.Options?.Any(o => o.Value == v) != true)
                    {
                        errors.Add(new(path, "not-an-option", NotAnOption()));
                        return null;
                    }
                    return v;
                }
            case FieldType.Checkbox:
                {
                    var values = node is JsonArray a ? a.Select(Str).ToList() : [Str(node)];
                    if (values.Any(v => v is null || s.Options?.Any(o => o.Value == v) != true))
                    {
                        errors.Add(new(path, "not-an-option", NotAnOption()));
                        return null;
                    }
                    return new JsonArray([.. values.Distinct().Select(v => (JsonNode)JsonValue.Create(v)!)]);
                }
            case FieldType.Consent:
                {
                    var agreed = node.GetValueKind() == JsonValueKind.True || Str(node) is "true" or "yes" or "on";
                    if (!agreed)
                    {
                        errors.Add(new(path, "required", Required(FieldType.Consent)));
                        return null;
                    }
                    return true;
                }
            case FieldType.File:
                {
                    // Files are uploaded through the web form; the answer lists the stored attachments' ids.
                    var ids = node is JsonArray a ? a.Select(Str).ToList() : [Str(node)];
                    if (ids.Any(id => !Guid.TryParse(id, out _)))
                    {
                        errors.Add(new(path, "invalid-attachment", Message("添付ファイルは申請フォームの画面から添付してください。", "Attach files through the web form.", "ファイルは <ruby>画面<rt>がめん</rt></ruby>から つけてください。")));
                        return null;
                    }
                    if (ids.Count > (s.MaxFiles ?? 1))
                    {
                        errors.Add(new(path, "too-many-files", Message($"添付できるファイルは{s.MaxFiles ?? 1}個までです。", $"Attach at most {s.MaxFiles ?? 1} files.", $"ファイルは {s.MaxFiles ?? 1}こまでです。")));
                        return null;
                    }
                    return new JsonArray([.. ids.Select(id => (JsonNode)JsonValue.Create(id)!)]);
                }
            case FieldType.Name:
                return CheckName(field, node, path, errors);
            case FieldType.BankAccount:
                {
                    if (node is not JsonObject o)
                    {
                        errors.Add(new(path, "invalid-shape", Shape("オブジェクト（bank, branch, type, number, holder）", "an object with bank, branch, type, number, holder")));
                        return null;
                    }
                    var account = BankAccountField.Validate(Str(o["bank"]), Str(o["branch"]), Str(o["type"]), Str(o["number"]), Str(o["holder"]));
                    if (!account.IsValid)
                    {
                        errors.AddRange(account.Errors.Select(e => new AnswerError(e.Part is null ? path : $"{path}.{e.Part}", e.Code, e.Message)));
                        return null;
                    }
                    var b = account.Value;
                    return new JsonObject
                    {
                        ["bank"] = b.BankCode,
                        ["branch"] = b.BranchCode,
                        ["type"] = BankAccountField.Code(b.Type),
                        ["number"] = b.Number,
                        ["holder"] = b.Holder,
                    };
                }
            default:
                errors.Add(new(path, "unsupported", Message("この項目の種類には回答できません。", "This field cannot be answered.", "この <ruby>項目<rt>こうもく</rt></ruby>には こたえられません。")));
                return null;
        }
    }

    private static JsonNode? CheckName(FormField field, JsonNode node, string path, List<AnswerError> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add(new(path, "invalid-shape", Shape("オブジェクト（family, given, familyKana, givenKana）", "an object with family, given, familyKana, givenKana")));
            return null;
        }
        var withKana = field.Settings.Kana ?? true;
        var result = new JsonObject();
        var ok = true;
        foreach (var (part, kana) in new[] { ("family", false), ("given", false), ("familyKana", true), ("givenKana", true) })
        {
            if (kana && !withKana) continue;
            var input = Str(o[part]);
            var v = kana ? FuriganaField.Validate(input) : NameField.Validate(input);
            if (!v.IsValid)
            {
                ok = false;
                errors.AddRange(v.Errors.Select(e => new AnswerError($"{path}.{part}", e.Code, e.Message)));
            }
            else
            {
                result[part] = v.Value;
            }
        }
        return ok ? result : null;
    }

    private static JsonNode? One<T>(Validated<T> v, string path, List<AnswerError> errors, Func<T, string> store)
    {
        if (v.IsValid) return JsonValue.Create(store(v.Value));
        errors.AddRange(v.Errors.Select(e => new AnswerError(e.Part is null ? path : $"{path}.{e.Part}", e.Code, e.Message)));
        return null;
    }

    /// <summary>A scalar answer as text; JSON numbers and booleans are accepted as their text.</summary>
    private static string? Str(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };

    private static string? Scalar(JsonNode node) => Str(node) ?? node.ToJsonString();

    public static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => FieldInput.IsBlank(v.GetValue<string>()),
        JsonValue v => v.GetValueKind() is JsonValueKind.Null or JsonValueKind.False,
        JsonArray a => a.All(IsEmpty),
        JsonObject o => o.All(kv => IsEmpty(kv.Value)),
        _ => true,
    };

    private static FieldMessage Message(string ja, string en, string easyHtml) => new(ja, en, easyHtml);

    private static FieldMessage Required(FieldType type) => type switch
    {
        FieldType.Select or FieldType.Radio or FieldType.Checkbox => Message("選んでください。", "Choose an option.", "えらんでください。"),
        FieldType.Consent => Message("内容を確認して、同意する場合はチェックしてください。", "Read the statement and tick the box to agree.", "よんで、よければ チェックを つけてください。"),
        FieldType.File => Message("ファイルを添付してください。", "Attach a file.", "ファイルを つけてください。"),
        _ => Message("入力してください。", "Enter a value.", "<ruby>書<rt>か</rt></ruby>いてください。"),
    };

    private static FieldMessage FilesNotAccepted() => Message("添付ファイルは API では送れません。この項目の回答を外してください。ファイルを添付するときは、申請フォームの画面から申請してください。",
        "Files cannot be sent through the API; remove this answer. To attach files, apply through the web form.",
        "ファイルは この <ruby>方法<rt>ほうほう</rt></ruby>では おくれません。<ruby>画面<rt>がめん</rt></ruby>から もうしこんでください。");

    private static FieldMessage FileRequiredNotAccepted() => Message("この申請にはファイルの添付が必要ですが、添付ファイルは API では送れません。申請フォームの画面から申請してください。",
        "This application needs a file, and files cannot be sent through the API; apply through the web form.",
        "ファイルが <ruby>必要<rt>ひつよう</rt></ruby>です。<ruby>画面<rt>がめん</rt></ruby>から もうしこんでください。");

    private static FieldMessage NotAnOption() => Message("選択肢の中から選んでください。", "Choose one of the options shown.", "えらぶ ものの なかから えらんでください。");

    private static FieldMessage NotShown() => Message("この項目は、ほかの回答により表示されないため回答できません。回答を外してください。",
        "This field is not shown for your other answers; remove this answer.", "この <ruby>項目<rt>こうもく</rt></ruby>には こたえられません。");

    private static FieldMessage UnknownField(string key) => Message($"このフォームに項目「{key}」はありません。項目名（key）を確かめてください。",
        $"This form has no field \"{key}\". Check the field key.", "この <ruby>項目<rt>こうもく</rt></ruby>は ありません。");

    private static FieldMessage Shape(string ja, string en) => Message($"回答の形が違います。{ja}で送ってください。", $"The answer has the wrong shape; send {en}.", "こたえの かたちが ちがいます。");

    private static FieldMessage TooFew(int min) => Message($"{min}件以上入力してください。", $"Add at least {min}.", $"{min}つ いじょう <ruby>書<rt>か</rt></ruby>いてください。");

    private static FieldMessage TooMany(int max) => Message($"{max}件までにしてください。", $"Add at most {max}.", $"{max}つまでに してください。");
}
