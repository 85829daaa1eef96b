using System.Globalization;

namespace ClusterState;

/// <summary>Number formatting of the exposition format.</summary>
internal static class PrometheusText
{
    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
