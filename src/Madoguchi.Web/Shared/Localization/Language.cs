using System.Net;
using Microsoft.AspNetCore.Html;

namespace Madoguchi.Web.Shared.Localization;

/// <summary>Languages of residents' pages: Japanese first, English, やさしい日本語 (short sentences, ruby).</summary>
public enum Language { Ja, En, Easy }

/// <summary>The current request's language and its texts; inject into pages as <c>L</c>.</summary>
public sealed class Lang(IHttpContextAccessor http)
{
    public const string CookieName = "madoguchi-lang";

    public Language Current => http.HttpContext?.Items[typeof(Language)] is Language l ? l : Language.Ja;

    /// <summary>The value for the html lang attribute; やさしい日本語 is Japanese.</summary>
    public string HtmlLang => Current == Language.En ? "en" : "ja";

    /// <summary>
    /// lang for municipal data (procedure, department and office names) that only exists in Japanese:
    /// "ja" on English pages so screen readers switch voice, null (attribute omitted) otherwise.
    /// </summary>
    public string? DataLang => Current == Language.En ? "ja" : null;

    /// <summary>
    /// lang for text whose language is not known beforehand (answers, untranslated labels, units): "ja"
    /// on an English page when it holds kana or kanji, null (attribute omitted) otherwise.
    /// </summary>
    public string? Of(string? text) => Current == Language.En && JapaneseScript.In(text) ? "ja" : null;

    /// <summary>The text for a key. やさしい日本語 texts may carry ruby markup and are trusted constants.</summary>
    public IHtmlContent this[string key] => Html(key, Current);

    /// <summary>The text for a key in a given language (for helpers that build markup outside a page).</summary>
    public static IHtmlContent Html(string key, Language language)
    {
        if (!Texts.All.TryGetValue(key, out var t)) return new HtmlString(WebUtility.HtmlEncode(key));
        return language switch
        {
            Language.En => new HtmlString(WebUtility.HtmlEncode(t.En)),
            Language.Easy => new HtmlString(t.Easy ?? WebUtility.HtmlEncode(t.Ja)),
            _ => new HtmlString(WebUtility.HtmlEncode(t.Ja)),
        };
    }

    /// <summary>
    /// Plain text (no ruby), for titles, attributes and the messages the page's script shows: a
    /// やさしい日本語 reader gets the easy text without its readings, not the standard Japanese.
    /// </summary>
    public string Plain(string key)
    {
        if (!Texts.All.TryGetValue(key, out var t)) return key;
        return Current switch
        {
            Language.En => t.En,
            Language.Easy when t.Easy is not null => EasyPlain.Of(t.Easy),
            _ => t.Ja,
        };
    }

    public static string Code(Language l) => l switch { Language.En => "en", Language.Easy => "easy", _ => "ja" };

    public static Language? Parse(string? code) => code switch
    {
        "ja" => Language.Ja,
        "en" => Language.En,
        "easy" => Language.Easy,
        _ => null,
    };
}

public static class LanguageModule
{
    public static WebApplicationBuilder AddLocalizationTexts(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<Lang>();
        return builder;
    }

    /// <summary>Reads the language cookie; a plain link (/lang?to=en) switches it, so it works without JavaScript.</summary>
    public static IApplicationBuilder UseLanguage(this WebApplication app)
    {
        app.MapGet("/lang", (string? to, string? returnUrl, HttpContext ctx) =>
        {
            var lang = Lang.Parse(to) ?? Language.Ja;
            ctx.Response.Cookies.Append(Lang.CookieName, Lang.Code(lang), new CookieOptions
            {
                HttpOnly = true,
                Secure = ctx.Request.IsHttps,
                SameSite = SameSiteMode.Lax,
                MaxAge = TimeSpan.FromDays(365),
                IsEssential = true,
            });
            return Results.LocalRedirect(LocalPaths.Or(returnUrl, "/"));
        }).AllowAnonymous().WithName("SwitchLanguage");

        return app.Use(async (ctx, next) =>
        {
            // Staff pages exist in Japanese only (their layout offers no switch): a member of staff who
            // chose English on the public pages must not get lang="en" over Japanese text there.
            ctx.Items[typeof(Language)] = ctx.Request.Path.StartsWithSegments("/staff")
                ? Language.Ja
                : Lang.Parse(ctx.Request.Cookies[Lang.CookieName]) ?? Language.Ja;
            await next();
        });
    }
}
