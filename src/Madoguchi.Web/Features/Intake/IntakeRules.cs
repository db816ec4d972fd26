using System.Globalization;
using System.Text.Json;
using Madoguchi.Web.Features.Forms;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Intake;

/// <summary>How a form admits applications when demand may exceed supply (rush events).</summary>
public enum IntakeMode
{
    /// <summary>Every valid application within the period is accepted.</summary>
    Open,
    /// <summary>先着順: accepted until <see cref="IntakeRules.Capacity"/> applications are stored.</summary>
    FirstCome,
    /// <summary>抽選: accepted until the deadline, then winners are drawn (<see cref="IntakeLottery"/>).</summary>
    Lottery,
}

/// <summary>What identifies "one person" for the per-person limit and duplicate detection.</summary>
public enum PersonBasis
{
    Email,
    /// <summary>The signed-in applicant's subject (applicant sign-in); anonymous applications are refused.</summary>
    Identity,
    /// <summary>氏名 + 生年月日 + 住所 after normalisation (<see cref="PersonKeys"/>).</summary>
    Person,
}

/// <summary>
/// One person's applications: keyed by <see cref="By"/> from the named fields; at most <see cref="Max"/>
/// across all channels, or only marked for staff as possible duplicates when <see cref="Max"/> is null.
/// </summary>
public sealed record PersonLimit(int? Max, PersonBasis By, string? EmailField, string? NameField, string? BirthDateField, string? AddressField)
{
    /// <summary>The field an "already applied" error points at.</summary>
    public string? MainField => By switch { PersonBasis.Email => EmailField, PersonBasis.Person => NameField, _ => null };
}

/// <summary>
/// The "intake" object of a form definition (docs/forms-format.md, "Intake limits"). Times are Japan
/// time; applications are accepted from <see cref="Opens"/> (inclusive) until <see cref="Closes"/> (exclusive).
/// </summary>
public sealed record IntakeRules(DateTimeOffset? Opens, DateTimeOffset? Closes, IntakeMode Mode, int? Capacity, PersonLimit? PerPerson)
{
    public const int MaxCapacity = 10_000_000;
    public const int MaxPerPerson = 100;
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm";
    private static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    internal static readonly Dictionary<string, IntakeMode> ModeNames = new(StringComparer.Ordinal)
    {
        ["open"] = IntakeMode.Open,
        ["first-come"] = IntakeMode.FirstCome,
        ["lottery"] = IntakeMode.Lottery,
    };

    internal static readonly Dictionary<string, PersonBasis> BasisNames = new(StringComparer.Ordinal)
    {
        ["email"] = PersonBasis.Email,
        ["identity"] = PersonBasis.Identity,
        ["person"] = PersonBasis.Person,
    };

    /// <summary>Japan time as written in the definition ("2026-05-01T10:00").</summary>
    public static string FormatTime(DateTimeOffset t) => t.ToOffset(Jst).ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads the "intake" object. Fields it names must be top-level, required and always shown (so a
    /// person key can always be computed); errors go to <paramref name="error"/> with their JSON path.
    /// </summary>
    public static IntakeRules? Read(JsonElement e, string path, Func<string, (FormField Field, bool AlwaysShown)?> field, Action<string, string> error)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            error(path, "intake はオブジェクト（{ … }）で書いてください。");
            return null;
        }
        var ok = Keys(e, path, ["opens", "closes", "mode", "capacity", "perPerson"], error);
        var opens = Time(e, path, "opens", error, ref ok);
        var closes = Time(e, path, "closes", error, ref ok);
        if (opens is not null && closes is not null && opens >= closes)
        {
            error(path + ".closes", $"closes（{FormatTime(closes.Value)}）は opens（{FormatTime(opens.Value)}）より後にしてください。");
            ok = false;
        }
        var mode = IntakeMode.Open;
        if (e.TryGetProperty("mode", out var m))
        {
            if (m.ValueKind != JsonValueKind.String || !ModeNames.TryGetValue(m.GetString()!, out mode))
            {
                error(path + ".mode", $"mode は {string.Join("、", ModeNames.Keys)} のいずれかです（'{m.GetRawText()}' は使えません）。");
                ok = false;
            }
        }
        var capacity = Integer(e, path, "capacity", 1, MaxCapacity, error, ref ok);
        if (mode == IntakeMode.FirstCome && capacity is null && !e.TryGetProperty("capacity", out _))
        {
            error(path + ".capacity", "mode が first-come（先着順）のときは capacity（受け付ける件数の上限）を書いてください。");
            ok = false;
        }
        if (mode != IntakeMode.FirstCome && e.TryGetProperty("capacity", out _))
        {
            error(path + ".capacity", "capacity は mode が first-come（先着順）のときだけ書けます。抽選の当選数は抽選のときに指定します。");
            ok = false;
        }
        if (mode == IntakeMode.Lottery && closes is null && !e.TryGetProperty("closes", out _))
        {
            error(path + ".closes", "mode が lottery（抽選）のときは closes（締切）を書いてください。抽選は締切の後に行います。");
            ok = false;
        }
        PersonLimit? person = null;
        if (e.TryGetProperty("perPerson", out var p))
        {
            person = Person(p, path + ".perPerson", field, error);
            ok &= person is not null;
        }
        return ok ? new IntakeRules(opens, closes, mode, (int?)capacity, person) : null;
    }

    private static PersonLimit? Person(JsonElement p, string path, Func<string, (FormField Field, bool AlwaysShown)?> field, Action<string, string> error)
    {
        if (p.ValueKind != JsonValueKind.Object)
        {
            error(path, "perPerson はオブジェクト（{ \"by\": …, \"max\": … }）で書いてください。");
            return null;
        }
        var ok = Keys(p, path, ["by", "max", "email", "name", "birthDate", "address"], error);
        var max = Integer(p, path, "max", 1, MaxPerPerson, error, ref ok);
        if (!p.TryGetProperty("by", out var b) || b.ValueKind != JsonValueKind.String || !BasisNames.TryGetValue(b.GetString()!, out var by))
        {
            error(path + ".by", $"by（一人の見分け方）を {string.Join("、", BasisNames.Keys)} のいずれかで書いてください。");
            return null;
        }
        string[] needed = by switch
        {
            PersonBasis.Email => ["email"],
            PersonBasis.Person => ["name", "birthDate", "address"],
            _ => [],
        };
        foreach (var name in new[] { "email", "name", "birthDate", "address" }.Where(n => !needed.Contains(n) && p.TryGetProperty(n, out _)))
        {
            error($"{path}.{name}", $"by が {b.GetString()} のときは {name} を書きません。" + (needed.Length > 0 ? $"書くのは {string.Join("、", needed)} です。" : ""));
            ok = false;
        }
        var keys = new Dictionary<string, string?>();
        foreach (var name in needed)
        {
            FieldType expected = name switch { "email" => FieldType.Email, "name" => FieldType.Name, "birthDate" => FieldType.Date, _ => FieldType.Address };
            keys[name] = FieldKey(p, path, name, expected, field, error, ref ok);
        }
        return ok ? new PersonLimit((int?)max, by, keys.GetValueOrDefault("email"), keys.GetValueOrDefault("name"), keys.GetValueOrDefault("birthDate"), keys.GetValueOrDefault("address")) : null;
    }

    private static string? FieldKey(JsonElement p, string path, string name, FieldType expected, Func<string, (FormField Field, bool AlwaysShown)?> field, Action<string, string> error, ref bool ok)
    {
        var typeName = FormParser.TypeName(expected);
        if (!p.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String)
        {
            error($"{path}.{name}", $"{name} に、type が {typeName} の項目の key を書いてください。");
            ok = false;
            return null;
        }
        var key = v.GetString()!;
        var found = field(key);
        var problem = found switch
        {
            null => $"項目 '{key}' はありません（繰り返しグループの中の項目は使えません）。",
            { Field.Type: var t } when t != expected => $"項目 '{key}' の type は {FormParser.TypeName(t)} です。type が {typeName} の項目を指定してください。",
            { Field.Required: false } => $"項目 '{key}' は必須ではありません。一人を見分けるのに使う項目は required: true にしてください。",
            { AlwaysShown: false } => $"項目 '{key}' には表示の条件（showWhen）があります。一人を見分けるのに使う項目は、常に表示されるページと項目にしてください。",
            _ => null,
        };
        if (problem is null) return key;
        error($"{path}.{name}", problem);
        ok = false;
        return null;
    }

    private static bool Keys(JsonElement e, string path, string[] allowed, Action<string, string> error)
    {
        var ok = true;
        foreach (var prop in e.EnumerateObject().Where(prop => !allowed.Contains(prop.Name)))
        {
            error($"{path}.{prop.Name}", $"{prop.Name} は使えません。ここで使えるのは {string.Join("、", allowed)} です。");
            ok = false;
        }
        return ok;
    }

    private static DateTimeOffset? Time(JsonElement e, string path, string name, Action<string, string> error, ref bool ok)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String
            && DateTime.TryParseExact(v.GetString(), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            // Japan has no daylight saving time: a Japanese wall-clock time is always UTC+9.
            return new DateTimeOffset(local, Jst);
        }
        error($"{path}.{name}", $"{name} は日本時間の日時を \"2026-05-01T10:00\" の形で書いてください（'{v.GetRawText()}' は使えません）。");
        ok = false;
        return null;
    }

    private static long? Integer(JsonElement e, string path, string name, long min, long max, Action<string, string> error, ref bool ok)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= min && n <= max) return n;
        error($"{path}.{name}", $"{name} は {min.ToString(CultureInfo.InvariantCulture)} から {max.ToString("N0", CultureInfo.InvariantCulture)} までの整数で書いてください（'{v.GetRawText()}' は使えません）。");
        ok = false;
        return null;
    }

    /// <summary>Writes the rules in canonical form (fixed key order), as <see cref="FormJson"/> does for the rest.</summary>
    public static void Write(Utf8JsonWriter w, IntakeRules rules)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rules);
        w.WriteStartObject("intake");
        if (rules.Opens is { } opens) w.WriteString("opens", FormatTime(opens));
        if (rules.Closes is { } closes) w.WriteString("closes", FormatTime(closes));
        w.WriteString("mode", ModeNames.First(x => x.Value == rules.Mode).Key);
        if (rules.Capacity is int capacity) w.WriteNumber("capacity", capacity);
        if (rules.PerPerson is { } p)
        {
            w.WriteStartObject("perPerson");
            w.WriteString("by", BasisNames.First(x => x.Value == p.By).Key);
            if (p.Max is int max) w.WriteNumber("max", max);
            if (p.EmailField is { } email) w.WriteString("email", email);
            if (p.NameField is { } name) w.WriteString("name", name);
            if (p.BirthDateField is { } birth) w.WriteString("birthDate", birth);
            if (p.AddressField is { } address) w.WriteString("address", address);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>A time as residents read it: 令和8年5月1日 10:00 (2026-05-01), Japan time.</summary>
    public static string Display(DateTimeOffset t)
    {
        var local = t.ToOffset(Jst);
        return $"{Wareki.Format(DateOnly.FromDateTime(local.DateTime))} {local.ToString("H:mm", CultureInfo.InvariantCulture)}（{local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}）";
    }
}
