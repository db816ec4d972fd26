using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Queue.Reservations;

/// <summary>The confirmation and the reminder, in the language the resident booked in. Plain text: no personal data but their own.</summary>
public static class ReservationMails
{
    public sealed record Mail(string Subject, string Body);

    public static Mail Confirmation(Reservation r, Office office, QueueService service, string pageUrl)
    {
        var when = When(r);
        return r.Language switch
        {
            "en" => new($"Your reservation {r.Number} at {Name(office.NameEn, office.Name)}", $"""
                {r.Name},

                Your visit is booked.

                Reservation number: {r.Number}
                Office: {Name(office.NameEn, office.Name)} ({office.Address})
                For: {Name(service.NameEn, service.Name)}
                Date and time: {when.En} (Japan time)

                On the day, show the QR code at the ticket machine's "Reservation" entry (or type the number).
                The QR code, and cancelling, are on your reservation page:
                {pageUrl}

                Keep this link to yourself: anyone with it can cancel your reservation.
                """),
            "easy" => new($"よやく {r.Number}（{office.Name}）", $"""
                {r.Name} さま

                よやくが できました。

                よやく ばんごう: {r.Number}
                ばしょ: {office.Name}（{office.Address}）
                ようじ: {service.Name}
                ひにち と じかん: {when.Ja}

                その ひに、ばんごうの きかいで「よやくの かた」を えらんで、QRコードを みせて ください。
                QRコード と とりけしは この ページです:
                {pageUrl}

                この リンクは ほかの ひとに おしえないで ください。
                """),
            _ => new($"【予約確定】{office.Name} 予約番号 {r.Number}", $"""
                {r.Name} 様

                窓口の予約を承りました。

                予約番号: {r.Number}
                庁舎: {office.Name}（{office.Address}）
                ご用件: {service.Name}
                日時: {when.Ja}（日本時間）

                当日は発券機の「予約の方」でQRコードをかざすか、予約番号を入力してください。
                QRコードの表示と予約の取り消しは、次の予約ページからできます。
                {pageUrl}

                このリンクを知っている人は予約を取り消せます。他の人に教えないでください。
                """),
        };
    }

    public static Mail Reminder(Reservation r, Office office, QueueService service)
    {
        var when = When(r);
        return r.Language switch
        {
            "en" => new($"Reminder: your reservation {r.Number} tomorrow", $"""
                {r.Name},

                This is a reminder of your visit tomorrow.

                Reservation number: {r.Number}
                Office: {Name(office.NameEn, office.Name)} ({office.Address})
                For: {Name(service.NameEn, service.Name)}
                Date and time: {when.En} (Japan time)

                Show the QR code from your confirmation e-mail's reservation page at the ticket machine.
                If you cannot come, please cancel from that page so that someone else can use the time.
                """),
            "easy" => new($"あしたの よやく {r.Number}", $"""
                {r.Name} さま

                あした よやくが あります。

                よやく ばんごう: {r.Number}
                ばしょ: {office.Name}
                ようじ: {service.Name}
                ひにち と じかん: {when.Ja}

                こられない ときは、まえの メールの ページから とりけして ください。
                """),
            _ => new($"【明日のご予約】{office.Name} 予約番号 {r.Number}", $"""
                {r.Name} 様

                明日のご予約のお知らせです。

                予約番号: {r.Number}
                庁舎: {office.Name}（{office.Address}）
                ご用件: {service.Name}
                日時: {when.Ja}（日本時間）

                当日は予約確定メールの予約ページにあるQRコードを発券機の「予約の方」でかざしてください。
                ご都合が悪くなった場合は、同じページから取り消してください（他の方が予約できるようになります）。
                """),
        };
    }

    /// <summary>"令和7年4月2日（水）10:00（2025年4月2日）" and its English form.</summary>
    public static (string Ja, string En) When(Reservation r)
    {
        var local = TimeZoneInfo.ConvertTime(r.StartsAt, JapanTime.Zone);
        var weekday = "日月火水木金土"[(int)r.Date.DayOfWeek];
        return ($"{Wareki.Format(r.Date)}（{weekday}）{local:H:mm}（{r.Date.Year}年{r.Date.Month}月{r.Date.Day}日）",
            local.ToString("dddd d MMMM yyyy, H:mm", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Name(string en, string ja) => en.Length > 0 ? en : ja;
}
