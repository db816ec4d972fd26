using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Features.Submissions;

namespace Madoguchi.Web.Features.Applicants;

/// <summary>
/// Turns the provider's claims into answers of the fields a form names in signIn.prefill, and keeps
/// the record of what was prefilled: a hash per field (not a second copy of the personal data) to
/// tell whether the resident has changed it, and to hold locked fields to the provider's value.
/// </summary>
public static class ApplicantPrefill
{
    /// <summary>Names forms use → the standard claim (OpenID Connect Core §5.1, katakana names as language-tagged claims).</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultClaimMap = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["name"] = "name",
        ["family_name"] = "family_name",
        ["given_name"] = "given_name",
        ["name_kana"] = "name#ja-Kana-JP",
        ["family_name_kana"] = "family_name#ja-Kana-JP",
        ["given_name_kana"] = "given_name#ja-Kana-JP",
        ["birthdate"] = "birthdate",
        ["address"] = "address",
        ["email"] = "email",
        ["phone_number"] = "phone_number",
    };

    public enum State { None, Prefilled, Locked }

    /// <summary>The answers the claims give for the form's prefill fields (only those the provider asserted), with their hashes.</summary>
    public static (JsonObject Answers, Dictionary<string, string> Hashes) Answers(FormDefinition form, ClaimsPrincipal who, ApplicantOidcSettings settings)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(settings);
        var answers = new JsonObject();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (form.SignIn is null) return (answers, hashes);
        string? Claim(string name) => who.FindFirst(settings.Claim(name))?.Value is { } v && v.Trim().Length > 0 ? v.Trim() : null;
        var address = Address(Claim("address"));
        foreach (var (key, claim) in form.SignIn.Prefill)
        {
            var field = form.AllFields.First(f => f.Key == key);
            JsonNode? value = (field.Type, claim) switch
            {
                (FieldType.Name, _) => Name(Claim, field.Settings.Kana ?? true),
                (_, "name") => Claim("name") ?? Join(Claim("family_name"), Claim("given_name")),
                (_, "name_kana") => Claim("name_kana") ?? Join(Claim("family_name_kana"), Claim("given_name_kana")),
                (_, "birthdate") => Birthdate(Claim("birthdate")),
                (_, "address") => address.Text,
                (_, "postal_code") => address.Postcode,
                (_, "email") => Claim("email"),
                (_, "phone_number") => Phone(Claim("phone_number")),
                _ => null,
            };
            if (value is null) continue;
            answers[key] = value;
            hashes[key] = Hash(value);
        }
        return (answers, hashes);
    }

    /// <summary>Whether an answer came from the provider (and still is its value), and whether the form locks it.</summary>
    public static State StateOf(FormDefinition form, Draft draft, string key, JsonNode? current)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(draft);
        if (draft.PrefilledJson is null || current is null) return State.None;
        var hashes = JsonSerializer.Deserialize<Dictionary<string, string>>(draft.PrefilledJson) ?? [];
        if (!hashes.TryGetValue(key, out var hash) || hash != Hash(current)) return State.None;
        return form.SignIn?.Locked.Contains(key) == true ? State.Locked : State.Prefilled;
    }

    /// <summary>
    /// Puts back the provider's value of locked fields that a post tried to change (a hand-made post
    /// can send anything, whatever the page showed as read-only).
    /// </summary>
    public static void KeepLocked(FormDefinition form, Draft draft, JsonObject before, JsonObject answers)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(answers);
        if (form.SignIn is not { Locked.Count: > 0 } signIn || draft.PrefilledJson is null) return;
        foreach (var key in signIn.Locked)
        {
            if (StateOf(form, draft, key, before[key]) == State.Locked) answers[key] = before[key]!.DeepClone();
        }
    }

    public static string Hash(JsonNode value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value.ToJsonString())));

    private static JsonObject? Name(Func<string, string?> claim, bool kana)
    {
        var (family, given) = (claim("family_name"), claim("given_name"));
        if (family is null && given is null) (family, given) = Split(claim("name"));
        var (familyKana, givenKana) = (claim("family_name_kana"), claim("given_name_kana"));
        if (familyKana is null && givenKana is null) (familyKana, givenKana) = Split(claim("name_kana"));
        var o = new JsonObject();
        if (family is not null) o["family"] = family;
        if (given is not null) o["given"] = given;
        if (kana && familyKana is not null) o["familyKana"] = familyKana;
        if (kana && givenKana is not null) o["givenKana"] = givenKana;
        return o.Count == 0 ? null : o;
    }

    /// <summary>"山田 太郎" (half- or full-width space) → family, given; a name without a space is all family name.</summary>
    private static (string?, string?) Split(string? full)
    {
        if (full is null) return (null, null);
        var parts = full.Split([' ', '\u3000'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2 ? (parts[0], parts[1]) : (full, null);
    }

    private static string? Join(string? a, string? b) => a is null && b is null ? null : $"{a} {b}".Trim();

    /// <summary>OpenID Connect birthdate is YYYY-MM-DD; "0000-MM-DD" (year withheld) gives nothing.</summary>
    private static string? Birthdate(string? value) =>
        value is not null && DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _)
            ? value
            : null;

    /// <summary>+81 3-1234-5678 → 03-1234-5678 (as residents write it); other forms are kept for the phone validator.</summary>
    private static string? Phone(string? value)
    {
        if (value is null) return null;
        var compact = value.Replace(" ", "", StringComparison.Ordinal);
        return compact.StartsWith("+81", StringComparison.Ordinal) ? "0" + compact[3..].TrimStart('-') : value;
    }

    /// <summary>
    /// The standard address claim is a JSON object (postal_code, region, locality, street_address,
    /// formatted); a Japanese address is written region + locality + street without spaces.
    /// </summary>
    private static (string? Text, string? Postcode) Address(string? claim)
    {
        if (claim is null) return (null, null);
        if (!claim.StartsWith('{')) return (claim, null);
        JsonObject? o;
        try
        {
            o = JsonNode.Parse(claim) as JsonObject;
        }
        catch (JsonException)
        {
            return (null, null);
        }
        if (o is null) return (null, null);
        string? Part(string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Trim().Length > 0 ? s.Trim() : null;
        var parts = new[] { Part("region"), Part("locality"), Part("street_address") }.Where(p => p is not null).ToList();
        var text = parts.Count > 0 ? string.Concat(parts) : Part("formatted");
        var postcode = Part("postal_code")?.Replace("〒", "", StringComparison.Ordinal).Trim();
        return (text, postcode);
    }
}
