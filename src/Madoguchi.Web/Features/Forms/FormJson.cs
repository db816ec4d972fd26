using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// Writes a definition as canonical JSON: fixed key order, two-space indentation, unset settings
/// left out. The same definition always gives the same bytes, so its SHA-256 tells whether a
/// re-published form really changed, and an export reads back to the same definition.
/// </summary>
public static class FormJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        IndentSize = 2,
        // Japanese stays readable in exports; the JSON is data, never embedded in HTML unencoded.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(FormDefinition form)
    {
        ArgumentNullException.ThrowIfNull(form);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteString("slug", form.Slug);
            if (form.ProcedureCode.Length > 0) w.WriteString("procedure", form.ProcedureCode);
            Text(w, "title", form.Title);
            Text(w, "description", form.Description);
            w.WriteNumber("draftExpiryDays", form.DraftExpiryDays);
            Applicants.SignInFormat.Write(w, form.SignIn);
            Changes(w, form.Changes);
            w.WriteStartArray("pages");
            foreach (var page in form.Pages)
            {
                w.WriteStartObject();
                w.WriteString("key", page.Key);
                Text(w, "title", page.Title);
                Condition(w, page.ShowWhen);
                w.WriteStartArray("items");
                foreach (var item in page.Items) Item(w, item);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (form.Intake is { } intake) Intake.IntakeRules.Write(w, intake);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Lower-case hex SHA-256 of the canonical JSON's UTF-8 bytes.</summary>
    public static string Sha256(string canonicalJson)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));

    private static void Item(Utf8JsonWriter w, FormItem item)
    {
        w.WriteStartObject();
        switch (item)
        {
            case StaticText s:
                w.WriteString("type", "static");
                Text(w, "heading", s.Heading);
                Text(w, "text", s.Text);
                Condition(w, s.ShowWhen);
                break;
            case FeeDisplay f:
                w.WriteString("type", "fee");
                Text(w, "label", f.Label);
                w.WriteNumber("yen", f.Yen);
                if (f.Per is { } per) w.WriteString("per", per);
                Condition(w, f.ShowWhen);
                break;
            case FormGroup g:
                w.WriteString("type", "group");
                w.WriteString("key", g.Key);
                Text(w, "label", g.Label);
                Text(w, "help", g.Help);
                Text(w, "itemLabel", g.ItemLabel);
                w.WriteNumber("min", g.Min);
                w.WriteNumber("max", g.Max);
                Condition(w, g.ShowWhen);
                w.WriteStartArray("fields");
                foreach (var f in g.Fields) Item(w, f);
                w.WriteEndArray();
                break;
            case FormField f:
                Field(w, f);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(item), item.GetType().Name, "unknown form item");
        }
        w.WriteEndObject();
    }

    private static void Field(Utf8JsonWriter w, FormField f)
    {
        w.WriteString("type", FormParser.TypeName(f.Type));
        w.WriteString("key", f.Key);
        Text(w, "label", f.Label);
        Text(w, "help", f.Help);
        Text(w, "error", f.Error);
        w.WriteBoolean("required", f.Required);
        w.WriteBoolean("sensitive", f.Sensitive);
        Condition(w, f.ShowWhen);
        var s = f.Settings;
        if (s.MaxLength is int ml) w.WriteNumber("maxLength", ml);
        if (s.Min is long min) w.WriteNumber("min", min);
        if (s.Max is long max) w.WriteNumber("max", max);
        if (s.Unit is { } unit) w.WriteString("unit", unit);
        if (s.MinDate is { } minDate) w.WriteString("min", minDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (s.MaxDate is { } maxDate) w.WriteString("max", maxDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (s.Kana is bool kana) w.WriteBoolean("kana", kana);
        if (s.AddressField is { } address) w.WriteString("addressField", address);
        if (s.Options is { } options)
        {
            w.WriteStartArray("options");
            foreach (var o in options)
            {
                w.WriteStartObject();
                w.WriteString("value", o.Value);
                Text(w, "label", o.Label);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (s.Accept is { } accept)
        {
            w.WriteStartArray("accept");
            foreach (var a in accept) w.WriteStringValue(a);
            w.WriteEndArray();
        }
        if (s.MaxBytes is long bytes) w.WriteNumber("maxBytes", bytes);
        if (s.MaxFiles is int files) w.WriteNumber("maxFiles", files);
        Text(w, "statement", s.Statement);
        if (s.Autocomplete is { } ac) w.WriteString("autocomplete", ac);
    }

    private static void Changes(Utf8JsonWriter w, VersionChangeSet? changes)
    {
        if (changes is null) return;
        w.WriteStartObject("changes");
        w.WriteNumber("from", changes.From);
        if (changes.Renamed.Count > 0)
        {
            w.WriteStartObject("renamed");
            foreach (var r in changes.Renamed) w.WriteString(r.Old, r.New);
            w.WriteEndObject();
        }
        if (changes.Removed.Count > 0)
        {
            w.WriteStartArray("removed");
            foreach (var k in changes.Removed) w.WriteStringValue(k);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void Text(Utf8JsonWriter w, string name, LocalizedText? text)
    {
        if (text is null) return;
        w.WriteStartObject(name);
        w.WriteString("ja", text.Ja);
        if (text.En is not null) w.WriteString("en", text.En);
        if (text.Easy is not null) w.WriteString("easy", text.Easy);
        w.WriteEndObject();
    }

    private static void Condition(Utf8JsonWriter w, FormCondition? c)
    {
        if (c is null) return;
        w.WriteStartObject("showWhen");
        w.WriteString("field", c.Field);
        switch (c.Operator)
        {
            case ConditionOperator.Equals:
                w.WriteString("equals", c.Values[0]);
                break;
            case ConditionOperator.In:
                w.WriteStartArray("in");
                foreach (var v in c.Values) w.WriteStringValue(v);
                w.WriteEndArray();
                break;
            default:
                w.WriteBoolean("filled", true);
                break;
        }
        w.WriteEndObject();
    }
}
