using System.Net;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Html;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>The booking pages' words in Japanese, English and やさしい日本語 (kept here: only reservations use them).</summary>
public static class ReservationTexts
{
    private static readonly Dictionary<string, Texts.Text> All = new()
    {
        ["title"] = new("窓口の予約", "Book a visit", "<ruby>窓口<rt>まどぐち</rt></ruby>の よやく"),
        ["lead"] = new("来庁する日時を予約すると、当日は発券機で予約番号のQRコードをかざすだけで、予約時刻に優先してお呼びします。", "Book a time for your visit. On the day, show your QR code at the ticket machine and you are called first at your time.", "<ruby>行<rt>い</rt></ruby>く <ruby>日<rt>ひ</rt></ruby>と <ruby>時間<rt>じかん</rt></ruby>を よやく できます。よやくの <ruby>時間<rt>じかん</rt></ruby>に さきに よびます。"),
        ["office"] = new("庁舎", "Office", "ばしょ"),
        ["service"] = new("ご用件", "What for", "<ruby>用事<rt>ようじ</rt></ruby>"),
        ["date"] = new("日付", "Date", "<ruby>日<rt>ひ</rt></ruby>"),
        ["time"] = new("時間", "Time", "<ruby>時間<rt>じかん</rt></ruby>"),
        ["choose.office"] = new("庁舎を選んでください", "Choose an office", "ばしょを えらんで ください"),
        ["choose.service"] = new("ご用件を選んでください", "Choose what you are coming for", "<ruby>用事<rt>ようじ</rt></ruby>を えらんで ください"),
        ["choose.date"] = new("日付を選んでください", "Choose a date", "<ruby>日<rt>ひ</rt></ruby>を えらんで ください"),
        ["choose.time"] = new("時間を選んでください", "Choose a time", "<ruby>時間<rt>じかん</rt></ruby>を えらんで ください"),
        ["left"] = new("残り", "Places left:", "のこり"),
        ["full"] = new("満員", "Full", "いっぱい"),
        ["none.offices"] = new("予約を受け付けている庁舎はまだありません。", "No office takes reservations yet.", "まだ ありません。"),
        ["none.services"] = new("この庁舎で予約できるご用件はありません。", "Nothing can be booked at this office.", "この ばしょでは よやく できません。"),
        ["none.dates"] = new("予約できる日がありません（閉庁日と満員の日は表示しません）。", "No dates can be booked (closed and full days are not shown).", "よやく できる <ruby>日<rt>ひ</rt></ruby>が ありません。"),
        ["none.times"] = new("この日に予約できる時間はありません。別の日を選んでください。", "No times are left on this day. Please choose another day.", "この <ruby>日<rt>ひ</rt></ruby>は いっぱいです。ほかの <ruby>日<rt>ひ</rt></ruby>を えらんで ください。"),
        ["change"] = new("選び直す", "Change", "えらびなおす"),
        ["form.title"] = new("お名前と連絡先", "Your name and e-mail", "なまえと メール"),
        ["name"] = new("お名前", "Name", "なまえ"),
        ["name.hint"] = new("窓口でお呼びするときに使います。例: 江東 花子", "Used when we call you. e.g. Hanako Koto", "<ruby>例<rt>れい</rt></ruby>: こうとう はなこ"),
        ["email"] = new("メールアドレス", "E-mail address", "メール"),
        ["email.hint"] = new("予約番号とQRコードのページをお送りします。", "We send your reservation number and the link to your QR code.", "よやくの ばんごうを おくります。"),
        ["required"] = new("※必須", "Required", "かならず かく"),
        ["submit"] = new("予約する", "Book", "よやく する"),
        ["errors"] = new("入力を確認してください", "Please check your answers", "<ruby>書<rt>か</rt></ruby>いた ことを たしかめて ください"),
        ["mine.title"] = new("ご予約の内容", "Your reservation", "あなたの よやく"),
        ["mine.booked"] = new("予約しました。確認メールをお送りしました。", "Your visit is booked. We have sent you a confirmation e-mail.", "よやく しました。メールを おくりました。"),
        ["mine.number"] = new("予約番号", "Reservation number", "よやくの ばんごう"),
        ["mine.status"] = new("状態", "Status", "いま"),
        ["mine.qr"] = new("当日、発券機の「予約の方」でこのQRコードをかざしてください（予約番号の入力でも受け付けます）。予約時刻の5分前からお呼びします。", "On the day, show this QR code at the ticket machine's \"Reservation\" entry (or type the number). We call you from 5 minutes before your time.", "その <ruby>日<rt>ひ</rt></ruby>に、きかいの「よやくの かた」で この QRコードを みせて ください。"),
        ["mine.qr.alt"] = new("予約番号のQRコード", "QR code of your reservation number", "よやくの QRコード"),
        ["mine.cancel"] = new("この予約を取り消す", "Cancel this reservation", "よやくを とりけす"),
        ["mine.cancel.hint"] = new("取り消すと、その時間は他の方が予約できるようになります。取り消しは元に戻せません。", "Cancelling frees the time for someone else and cannot be undone.", "とりけすと もとに もどせません。"),
        ["mine.cancelled"] = new("予約を取り消しました。", "Your reservation is cancelled.", "よやくを とりけしました。"),
        ["mine.keep"] = new("このページのアドレスは予約確認メールに記載しています。他の人に教えないでください。", "The address of this page is in your confirmation e-mail. Do not share it.", "この ページの アドレスは ほかの <ruby>人<rt>ひと</rt></ruby>に おしえないで ください。"),
        ["status.Booked"] = new("予約済", "Booked", "よやく ずみ"),
        ["status.CheckedIn"] = new("受付済", "Checked in", "うけつけ ずみ"),
        ["status.Cancelled"] = new("取消", "Cancelled", "とりけし"),
        ["status.NoShow"] = new("無断キャンセル（予約時刻を過ぎました）", "Not attended (the time has passed)", "こなかった"),
        ["kiosk.title"] = new("予約の方", "Reservation", "よやくの かた"),
        ["kiosk.hint"] = new("予約のQRコードを読み取り機にかざしてください。予約番号（12桁の英数字）を入力しても受け付けます。", "Hold your reservation QR code to the reader, or type your 12-character reservation number.", "よやくの QRコードを きかいに かざして ください。"),
        ["kiosk.submit"] = new("受付する", "Check in", "うけつけ する"),
    };

    public static IHtmlContent Get(Language language, string key)
    {
        var t = All[key];
        return language switch
        {
            Language.En => new HtmlString(WebUtility.HtmlEncode(t.En)),
            Language.Easy => new HtmlString(t.Easy ?? WebUtility.HtmlEncode(t.Ja)),
            _ => new HtmlString(WebUtility.HtmlEncode(t.Ja)),
        };
    }

    public static string Plain(Language language, string key) => language == Language.En ? All[key].En : All[key].Ja;

    // What a resident may be told when booking or cancelling is refused, by the refusal's code. The
    // Japanese stays the refusal's own message, which carries the date and time.
    private static readonly Dictionary<string, string> ProblemsEn = new()
    {
        ["office-not-found"] = "This office does not exist.",
        ["service-not-found"] = "This office does not take bookings for that.",
        ["slot-unavailable"] = "That time cannot be booked (the office is closed, booking has ended, or it is not a planned time). Choose another time.",
        ["slot-full"] = "That time has just been fully booked. Choose another time.",
        ["reservation-not-found"] = "The reservation was not found.",
        ["not-cancellable"] = "This reservation has already been checked in or cancelled.",
        ["too-late"] = "The reservation time has passed, so it can no longer be cancelled.",
    };

    /// <summary>A refused booking or cancellation in the page's language (English has its own words; やさしい日本語 reads the Japanese).</summary>
    public static string Problem(Language language, QueueException e)
        => language == Language.En && ProblemsEn.TryGetValue(e.Code, out var en) ? en : e.Message;

    public static string OfficeName(Language language, Platform.Office o) => language == Language.En && o.NameEn.Length > 0 ? o.NameEn : o.Name;

    /// <summary>A date the way the page's language reads it: 4月2日（水） / Wed 2 Apr.</summary>
    public static string Date(Language language, DateOnly d) => language == Language.En
        ? d.ToString("ddd d MMM", System.Globalization.CultureInfo.InvariantCulture)
        : $"{d.Month}月{d.Day}日（{"日月火水木金土"[(int)d.DayOfWeek]}）";
}
