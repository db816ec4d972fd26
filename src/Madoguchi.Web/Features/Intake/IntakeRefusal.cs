using System.Globalization;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Intake;

/// <summary>
/// Why an application is not accepted under the form's intake rules: a stable code for API clients,
/// the HTTP status (409 for the form's state, 422 for this applicant's answers), the field concerned
/// if any, and the message in Japanese, English and やさしい日本語.
/// </summary>
public sealed record IntakeRefusal(string Code, int Status, string? Field, FieldMessage Message)
{
    public static IntakeRefusal NotOpenYet(DateTimeOffset opens) => new("not-open-yet", 409, null, new(
        $"この申請の受付はまだ始まっていません。受付開始は{Ja(opens)}（日本時間）です。",
        $"Applications are not open yet. They open on {En(opens)} Japan time.",
        $"まだ <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>めません。{Ja(opens)}から <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>めます。"));

    public static IntakeRefusal Closed(DateTimeOffset closes) => new("closed", 409, null, new(
        $"この申請の受付は締め切りました。締切は{Ja(closes)}（日本時間）でした。",
        $"Applications are closed. The deadline was {En(closes)} Japan time.",
        $"<ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>みは <ruby>終<rt>お</rt></ruby>わりました。{Ja(closes)}までに <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>む <ruby>必要<rt>ひつよう</rt></ruby>が ありました。"));

    public static IntakeRefusal Full(int capacity) => new("capacity-reached", 409, null, new(
        $"先着{N(capacity)}件の受付が定員に達したため、受付を終了しました。",
        $"All {N(capacity)} places have been taken (first come, first served). Applications are closed.",
        $"<ruby>先着<rt>せんちゃく</rt></ruby> {N(capacity)}<ruby>人<rt>にん</rt></ruby>が いっぱいに なりました。もう <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>めません。"));

    public static IntakeRefusal AlreadyApplied(string? field, int max) => new("already-applied", 422, field, max == 1
        ? new("この申請はお一人1回までです。同じ方の申請をすでに受け付けているため、受け付けられません（紙の申請書で申し込んだ場合も含みます）。",
            "Only one application per person is accepted, and we already have one from you (online or on paper).",
            "<ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>みは 1<ruby>人<rt>ひとり</rt></ruby> 1<ruby>回<rt>かい</rt></ruby>です。あなたの <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>みは もう あります。")
        : new($"この申請はお一人{N(max)}回までです。同じ方の申請をすでに{N(max)}件受け付けているため、受け付けられません（紙の申請書で申し込んだ場合も含みます）。",
            $"At most {N(max)} applications per person are accepted, and we already have {N(max)} from you (online or on paper).",
            $"<ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>みは 1<ruby>人<rt>ひとり</rt></ruby> {N(max)}<ruby>回<rt>かい</rt></ruby>までです。あなたは もう {N(max)}<ruby>回<rt>かい</rt></ruby> <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>みました。"));

    public static IntakeRefusal SignInRequired() => new("sign-in-required", 409, null, new(
        "この申請はお一人1回までのため、ログインしてから申請してください。",
        "Sign in before you apply: each person may apply only a limited number of times.",
        "ログインしてから <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>んで ください。"));

    /// <summary>The pinned version's answers lack a field the current rules identify people by.</summary>
    public static IntakeRefusal FormChanged() => new("form-changed", 422, null, new(
        "申請の受付条件が変わりました。お手数ですが、申請を最初からやり直してください。",
        "The conditions of this application have changed. Please start your application again.",
        "<ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>みの きまりが かわりました。はじめから やりなおして ください。"));

    /// <summary>令和8年5月1日 10:00.</summary>
    public static string Ja(DateTimeOffset t)
    {
        var local = TimeZoneInfo.ConvertTime(t, JapanTime.Zone);
        return $"{Wareki.Format(DateOnly.FromDateTime(local.DateTime))} {local.ToString("H:mm", CultureInfo.InvariantCulture)}";
    }

    /// <summary>1 May 2026, 10:00.</summary>
    public static string En(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, JapanTime.Zone).ToString("d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
