using System.Text.Json;
using Madoguchi.Web.Features.Forms;

namespace Madoguchi.Web.Features.Applicants;

public enum SignInMode
{
    /// <summary>The start page offers sign-in; residents may also start without it.</summary>
    Optional,
    /// <summary>Only a signed-in resident can start (and continue, and submit) the form.</summary>
    Required,
}

/// <summary>
/// The form's <c>signIn</c> object (docs/forms-format.md): whether residents sign in through the
/// municipality's identity provider, which of its claims prefill which fields, and which of those
/// the resident may not change.
/// </summary>
/// <param name="Prefill">Field key → claim name (<see cref="SignInFormat.ClaimsByType"/>), in the order written.</param>
/// <param name="Locked">Prefilled fields that keep the provider's value.</param>
public sealed record FormSignIn(SignInMode Mode, IReadOnlyList<KeyValuePair<string, string>> Prefill, IReadOnlyList<string> Locked)
{
    public string? ClaimFor(string fieldKey) => Prefill.FirstOrDefault(p => p.Key == fieldKey).Value;
}

/// <summary>Reads and writes the <c>signIn</c> object; called by <see cref="FormParser"/> and <see cref="FormJson"/>.</summary>
public static class SignInFormat
{
    /// <summary>The claims a field of each type can be prefilled from (names of OpenID Connect standard claims).</summary>
    public static readonly IReadOnlyDictionary<FieldType, string[]> ClaimsByType = new Dictionary<FieldType, string[]>
    {
        [FieldType.Name] = ["name"],
        [FieldType.Text] = ["name", "name_kana", "address"],
        [FieldType.Date] = ["birthdate"],
        [FieldType.Address] = ["address"],
        [FieldType.Postcode] = ["postal_code"],
        [FieldType.Email] = ["email"],
        [FieldType.Phone] = ["phone_number"],
    };

    /// <summary>
    /// Reads <c>$.signIn</c> once the pages are read (prefill keys must name fields of the form,
    /// outside groups). Returns null and adds errors when it is not valid.
    /// </summary>
    public static FormSignIn? Read(JsonElement e, IReadOnlyList<FormPage> pages, List<FormError> errors)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(errors);
        const string path = "$.signIn";
        var before = errors.Count;
        if (e.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(path, "signIn は JSON のオブジェクト（{ \"mode\": \"optional\" }）で書いてください。"));
            return null;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            if (!seen.Add(p.Name)) errors.Add(new($"{path}.{p.Name}", $"キー '{p.Name}' が2回書かれています。1つにしてください。"));
            else if (p.Name is not ("mode" or "prefill" or "locked")) errors.Add(new($"{path}.{p.Name}", $"キー '{p.Name}' はここでは使えません。使えるのは mode、prefill、locked です。"));
        }
        SignInMode? mode = e.TryGetProperty("mode", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() switch
        {
            "optional" => SignInMode.Optional,
            "required" => SignInMode.Required,
            _ => null,
        } : null;
        if (mode is null) errors.Add(new(path + ".mode", "mode は \"optional\"（サインインは任意）か \"required\"（サインインした人だけが申請できる）で書いてください。"));

        // Only fields outside groups: a claim describes the signed-in person, not family members.
        var fields = pages.SelectMany(p => p.Items).OfType<FormField>().ToDictionary(f => f.Key, StringComparer.Ordinal);
        var prefill = new List<KeyValuePair<string, string>>();
        if (e.TryGetProperty("prefill", out var pj))
        {
            if (pj.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(path + ".prefill", "prefill は { \"項目の key\": \"クレーム名\" } のオブジェクトで書いてください。"));
            }
            else
            {
                foreach (var p in pj.EnumerateObject())
                {
                    var where = $"{path}.prefill.{p.Name}";
                    var claim = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : null;
                    if (prefill.Any(x => x.Key == p.Name))
                    {
                        errors.Add(new(where, $"項目 '{p.Name}' が2回書かれています。1つにしてください。"));
                    }
                    else if (!fields.TryGetValue(p.Name, out var field))
                    {
                        errors.Add(new(where, $"項目 '{p.Name}' はこのフォームにありません（グループの中の項目は使えません）。ページにある項目の key を書いてください。"));
                    }
                    else if (!ClaimsByType.TryGetValue(field.Type, out var allowed))
                    {
                        errors.Add(new(where, $"項目 '{p.Name}'（type '{FormParser.TypeName(field.Type)}'）には事前入力できません。事前入力できるのは name、text、date、address、postcode、email、phone の項目です。"));
                    }
                    else if (claim is null || !allowed.Contains(claim))
                    {
                        errors.Add(new(where, $"項目 '{p.Name}'（type '{FormParser.TypeName(field.Type)}'）に使えるクレームは {string.Join("、", allowed)} です（'{claim ?? p.Value.GetRawText()}' は使えません）。"));
                    }
                    else
                    {
                        prefill.Add(new(p.Name, claim));
                    }
                }
            }
        }
        var locked = new List<string>();
        if (e.TryGetProperty("locked", out var lj))
        {
            if (lj.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new(path + ".locked", "locked は変更させない項目の key の配列で書いてください（例: [\"applicantName\"]）。"));
            }
            else
            {
                var i = 0;
                foreach (var k in lj.EnumerateArray())
                {
                    var key = k.ValueKind == JsonValueKind.String ? k.GetString()! : k.GetRawText();
                    if (!prefill.Any(p => p.Key == key)) errors.Add(new($"{path}.locked[{i}]", $"'{key}' は prefill にない項目です。locked には prefill に書いた項目の key だけを書けます。"));
                    else if (locked.Contains(key)) errors.Add(new($"{path}.locked[{i}]", $"'{key}' が2回書かれています。1つにしてください。"));
                    else locked.Add(key);
                    i++;
                }
            }
        }
        return errors.Count > before || mode is null ? null : new FormSignIn(mode.Value, prefill, locked);
    }

    public static void Write(Utf8JsonWriter w, FormSignIn? signIn)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (signIn is null) return;
        w.WriteStartObject("signIn");
        w.WriteString("mode", signIn.Mode == SignInMode.Required ? "required" : "optional");
        if (signIn.Prefill.Count > 0)
        {
            w.WriteStartObject("prefill");
            foreach (var (key, claim) in signIn.Prefill) w.WriteString(key, claim);
            w.WriteEndObject();
        }
        if (signIn.Locked.Count > 0)
        {
            w.WriteStartArray("locked");
            foreach (var key in signIn.Locked) w.WriteStringValue(key);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
