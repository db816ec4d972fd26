using System.Net;
using System.Text.RegularExpressions;

namespace Madoguchi.Web.Shared.Localization;

/// <summary>やさしい日本語 HTML as plain text: ruby readings and markup dropped, for titles, attributes, e-mail, JSON and script messages.</summary>
public static partial class EasyPlain
{
    public static string Of(string easyHtml) => WebUtility.HtmlDecode(Markup().Replace(Ruby().Replace(easyHtml, ""), ""));

    [GeneratedRegex("<rt>.*?</rt>", RegexOptions.CultureInvariant)]
    private static partial Regex Ruby();

    [GeneratedRegex("<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Markup();
}
