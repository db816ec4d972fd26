using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Japanese;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Html;

namespace Madoguchi.Web.Features.Submissions;

/// <summary>
/// What the resident pages share: the draft cookie, turning posted form fields into the answers
/// shape of docs/forms-format.md (so <see cref="AnswerChecker"/> stays the one checker), the pages
/// visible for the saved answers, and texts in the current language.
/// </summary>
public static partial class FormFilling
{
    /// <summary>
    /// Each form has its own draft cookie (<c>madoguchi-draft.{slug}</c>), so starting a second form
    /// never makes the first one unreachable on this device.
    /// </summary>
    public const string CookiePrefix = "madoguchi-draft.";

    /// <summary>The one cookie of earlier releases, holding the draft of the form started last; still read so a draft in progress survives the upgrade.</summary>
    public const string LegacyCookieName = "madoguchi-draft";

    public static string CookieName(string slug) => CookiePrefix + slug;

    /// <summary>The draft id and secret of this form's cookie, or null when there is none or it is malformed (the caller checks the draft's form).</summary>
    public static (Guid Id, string Secret)? ReadCookie(HttpRequest request, string slug)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Cookies[CookieName(slug)] ?? request.Cookies[LegacyCookieName];
        if (value is null) return null;
        var parts = value.Split('.', 2);
        return parts.Length == 2 && Guid.TryParse(parts[0], out var id) && parts[1].Length > 0 ? (id, parts[1]) : null;
    }

    public static void WriteCookie(HttpResponse response, string slug, Guid draftId, string secret) =>
        response.Cookies.Append(CookieName(slug), $"{draftId:N}.{secret}", Options());

    public static void ClearCookie(HttpResponse response, string slug) => response.Cookies.Delete(CookieName(slug), Options());

    /// <summary>Forgets every form's draft on this device (signing out: the next user of the device must not open them).</summary>
    public static void ClearAllCookies(HttpRequest request, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        foreach (var name in request.Cookies.Keys.Where(k => k == LegacyCookieName || k.StartsWith(CookiePrefix, StringComparison.Ordinal)))
        {
            response.Cookies.Delete(name, Options());
        }
    }

    // Path /forms: the cookie never travels to staff pages or the API.
    private static CookieOptions Options() => new() { HttpOnly = true, Secure = true, SameSite = SameSiteMode.Lax, Path = "/forms", IsEssential = true };

    /// <summary>Idempotency key of a draft's submission: the draft id, plus a hash of its secret so a replay can only be asked for by the holder of the cookie.</summary>
    public static string IdempotencyKey(Guid draftId, string secret) => $"draft-{draftId:N}-{ReceiptNumbers.Hash(secret)[..24]}";

    /// <summary>Pages shown for the answers (conditions are evaluated on the normalised answers, as the checker does).</summary>
    public static List<FormPage> VisiblePages(FormDefinition form, JsonObject answers)
    {
        var normalised = AnswerChecker.Check(form, answers, AnswerChecker.Mode.Lenient).Answers;
        return [.. form.Pages.Where(p => AnswerChecker.Holds(p.ShowWhen, normalised))];
    }

    /// <summary>
    /// Where "continue" leads: the first page with a missing or refused answer, but never past the page
    /// after the one last saved (a page of optional questions not yet seen is not skipped). Null: the check page.
    /// </summary>
    public static string? ContinuePage(FormDefinition form, JsonObject answers, string? lastPage)
    {
        ArgumentNullException.ThrowIfNull(form);
        var visible = VisiblePages(form, answers);
        var reached = visible.FindIndex(p => p.Key == lastPage);
        var limit = lastPage is null ? 0 : reached < 0 ? visible.Count : reached + 1;
        foreach (var page in visible.Take(limit))
        {
            if (!AnswerChecker.Check(form, answers, AnswerChecker.Mode.Lenient, new HashSet<string> { page.Key }).IsValid) return page.Key;
        }
        return limit < visible.Count ? visible[limit].Key : null;
    }

    /// <summary>Where an answer path sits: its page, the group item (its label and number as the page draws it), the question and the part.</summary>
    public sealed record AnswerPlace(FormPage Page, LocalizedText? Item, int? Number, LocalizedText Label, string? Part);

    /// <summary>
    /// A path inside a group item, <c>group[i].key</c> (or <c>group[i].key.part</c>): the group's key, the item's
    /// position (null when it is not a number) and what follows <c>].</c>; null for any other path.
    /// </summary>
    public static (string Group, int? Index, string After)? ItemPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var open = path.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || path.IndexOf("].", open, StringComparison.Ordinal) is not (var close and > 0)) return null;
        int? index = int.TryParse(path[(open + 1)..close], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;
        return (path[..open], index, path[(close + 2)..]);
    }

    /// <summary>The place of an answer path (<c>key</c>, <c>key.part</c>, <c>group[i].key</c>, <c>group</c>); null when the form has no such question.</summary>
    public static AnswerPlace? Place(FormDefinition form, string path)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(path);
        var rest = path;
        string? groupKey = null;
        int? number = null;
        if (ItemPath(path) is { } inItem)
        {
            (groupKey, number, rest) = (inItem.Group, inItem.Index + 1, inItem.After);
        }
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        var key = dot < 0 ? rest : rest[..dot];
        var part = dot < 0 ? null : rest[(dot + 1)..];
        foreach (var page in form.Pages)
        {
            foreach (var item in page.Items)
            {
                switch (item)
                {
                    case FormGroup g when groupKey is not null && g.Key == groupKey:
                        return g.Fields.FirstOrDefault(f => f.Key == key) is { } inGroup ? new(page, g.ItemLabel ?? g.Label, number, inGroup.Label, part) : null;
                    case FormGroup g when groupKey is null && g.Key == key:
                        return new(page, null, null, g.Label, null);
                    case FormField f when groupKey is null && f.Key == key:
                        return new(page, null, null, f.Label, part);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The question an error is about, as error summaries start it: 「家族 2 生年月日: 」, 「氏名（姓）: 」,
    /// so that two links with the same message still say where they lead.
    /// </summary>
    public static IHtmlContent Subject(AnswerPlace? place, Language language)
    {
        if (place is null) return HtmlString.Empty;
        var b = new HtmlContentBuilder();
        if (place.Item is not null) b.AppendHtml(Html(place.Item, language)).Append($" {place.Number} ");
        b.AppendHtml(Html(place.Label, language));
        if (place.Part is not null) b.AppendHtml("（").AppendHtml(Lang.Html($"fill.part.{place.Part}", language)).AppendHtml("）");
        return b.Append(": ");
    }

    /// <summary>The page of a question, for errors listed away from it (the check page): 「（申請者のページ）」.</summary>
    public static IHtmlContent OnPage(AnswerPlace? place, Language language) => place is null ? HtmlString.Empty
        : new HtmlContentBuilder().AppendHtml(Lang.Html("fill.check.onpage.before", language)).AppendHtml(Html(place.Page.Title, language)).AppendHtml(Lang.Html("fill.check.onpage.after", language));

    /// <summary>Element id for an answer path (<c>children[0].childName</c> → <c>f-children-0--childName</c>); error links point at it.</summary>
    public static string Id(string path) => "f-" + NotIdChar().Replace(path, "-");

    [GeneratedRegex("[^A-Za-z0-9_]")]
    private static partial Regex NotIdChar();

    /// <summary>Parts of the object-shaped answers, in the order they are asked.</summary>
    public static readonly string[] NameParts = ["family", "given", "familyKana", "givenKana"];
    public static readonly string[] BankParts = ["bank", "branch", "type", "number", "holder"];

    /// <summary>The answer of one field from posted form values, named as the answer paths (<c>key</c>, <c>key.part</c>, <c>group[i].key</c>).</summary>
    public static JsonNode? FromForm(FormField field, string path, IFormCollection form, IReadOnlyList<Attachment> attachments)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(form);
        switch (field.Type)
        {
            case FieldType.Name:
            case FieldType.BankAccount:
                {
                    var o = new JsonObject();
                    foreach (var part in field.Type == FieldType.Name ? NameParts : BankParts)
                    {
                        var v = form[$"{path}.{part}"].ToString();
                        if (v.Length > 0) o[part] = v;
                    }
                    return o.Count == 0 ? null : o;
                }
            case FieldType.Checkbox:
                {
                    var values = form[path].Where(v => !string.IsNullOrEmpty(v)).ToList();
                    return values.Count == 0 ? null : new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v)!)]);
                }
            case FieldType.Consent:
                return form[path].ToString() == "true" ? JsonValue.Create(true) : null;
            case FieldType.File:
                {
                    // Files come from the store, never from a posted id: a resident cannot point at another draft's file.
                    var ids = attachments.Where(a => a.FieldKey == path).Select(a => (JsonNode)JsonValue.Create(a.Id.ToString())!).ToArray();
                    return ids.Length == 0 ? null : new JsonArray(ids);
                }
            default:
                {
                    var v = form[path].ToString();
                    return v.Length == 0 ? null : JsonValue.Create(v);
                }
        }
    }

    /// <summary>A scalar answer as text for an input's value.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => "",
    };

    /// <summary>
    /// The text in the page's language. A label the form has not translated into English shows in
    /// Japanese, marked lang="ja" so that a screen reader reads it with a Japanese voice.
    /// </summary>
    public static IHtmlContent Html(LocalizedText? text, Language language)
    {
        if (text is null) return HtmlString.Empty;
        if (language == Language.Easy && text.Easy is not null) return new HtmlString(EasyText.ToHtml(text.Easy));
        if (language == Language.En && text.En is null) return new HtmlString($"<span lang=\"ja\">{WebUtility.HtmlEncode(text.Ja)}</span>");
        return new HtmlString(WebUtility.HtmlEncode(text.Plain(language)));
    }

    public static IHtmlContent Html(FieldMessage message, Language language) => language == Language.Easy
        ? new HtmlString(message.EasyHtml)
        : new HtmlString(WebUtility.HtmlEncode(message.Text(language)));

    /// <summary>An answer as text for the check-your-answers page.</summary>
    public static string Display(FormField field, JsonNode? node, IReadOnlyList<Attachment> attachments, Language language)
    {
        if (node is null) return "";
        switch (field.Type)
        {
            case FieldType.Name:
                return $"{Text(node["family"])} {Text(node["given"])}" + (node["familyKana"] is null ? ""
                    : language == Language.En ? $" ({Text(node["familyKana"])} {Text(node["givenKana"])})" : $"（{Text(node["familyKana"])} {Text(node["givenKana"])}）");
            case FieldType.BankAccount:
                return string.Join(" ", BankParts.Select(p => p == "type" ? BankTypeName(node[p], language) : Text(node[p])));
            case FieldType.Consent:
                return language == Language.En ? "Agreed" : "同意する";
            case FieldType.Date:
                return DateOnly.TryParseExact(Text(node), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? ResidentFormat.Date(d, language) : Text(node);
            case FieldType.MyNumber:
                return "********" + Text(node)[^4..];
            case FieldType.File:
                return string.Join(ListSeparator(language), (node as JsonArray ?? []).Select(n => attachments.FirstOrDefault(a => a.Id.ToString() == Text(n))?.OriginalName ?? ""));
            case FieldType.Select or FieldType.Radio or FieldType.Checkbox:
                {
                    var values = node is JsonArray a ? a.Select(Text) : [Text(node)];
                    return string.Join(ListSeparator(language), values.Select(v => field.Settings.Options?.FirstOrDefault(o => o.Value == v)?.Label.Plain(language) ?? v));
                }
            default:
                return Text(node) + (field.Settings.Unit is { } unit ? unit : "");
        }
    }

    // English pages list several answers as "A, B"; 、 there would be read as Japanese punctuation.
    /// <summary>The 預金種目 of an answer in the reader's words (普通, Ordinary (futsu), 普通（ふつう）); as stored when it is not one.</summary>
    public static string BankTypeName(JsonNode? stored, Language language)
    {
        if (BankAccountField.Stored(Text(stored)) is not { } type) return Text(stored);
        var name = Texts.All[$"fill.bank.{BankAccountField.Code(type)}"];
        return language switch
        {
            Language.En => name.En,
            Language.Easy when name.Easy is not null => EasyPlain.Of(name.Easy),
            _ => name.Ja,
        };
    }

    static string ListSeparator(Language language) => language == Language.En ? ", " : "、";

    /// <summary>The file picker's filter from a file field's allowed types, so a phone offers only files that can be sent; null when any type is allowed.</summary>
    public static string? Accept(FormField field) => field?.Settings.Accept is { Count: > 0 } types
        ? string.Join(",", types.SelectMany(t => t switch
        {
            "pdf" => new[] { ".pdf", "application/pdf" },
            "jpeg" => [".jpg", ".jpeg", "image/jpeg"],
            "png" => [".png", "image/png"],
            _ => [],
        }))
        : null;

    public static string? InputMode(FieldType type) => type switch
    {
        FieldType.Phone => "tel",
        FieldType.Number or FieldType.Postcode or FieldType.MyNumber or FieldType.CorporateNumber => "numeric",
        FieldType.Email => "email",
        _ => null,
    };

    public static string InputType(FieldType type) => type switch
    {
        FieldType.Email => "email",
        FieldType.Phone => "tel",
        _ => "text",
    };

    public static string? Autocomplete(FormField field) => field.Settings.Autocomplete ?? field.Type switch
    {
        FieldType.Email => "email",
        FieldType.Phone => "tel",
        FieldType.Postcode => "postal-code",
        FieldType.Address => "street-address",
        FieldType.MyNumber or FieldType.CorporateNumber => "off",
        _ => null,
    };

    public static string? PartAutocomplete(string part) => part switch
    {
        "family" => "family-name",
        "given" => "given-name",
        _ => null,
    };
}
