using System.Globalization;

namespace Metering.Kafka.DevBroker;

/// <summary>
/// The journal's topic list, <c>topics.txt</c>: one <c>name TAB partitions</c> line per topic, replaced atomically (write
/// a temporary file, then rename it over the old one).
/// </summary>
internal static class JournalTopics
{
    public const string FileName = "topics.txt";

    /// <exception cref="InvalidDataException">A line is not a topic definition.</exception>
    public static List<MockKafkaTopic> Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var topics = new List<MockKafkaTopic>();
        if (!File.Exists(path))
        {
            return topics;
        }

        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length != 2 || fields[0].Length == 0
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partitions) || partitions < 1)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: expected 'topic<TAB>partitions', got '{line}'.");
            }

            topics.Add(new MockKafkaTopic(fields[0], partitions));
        }

        return topics;
    }

    public static void Save(string directory, IEnumerable<MockKafkaTopic> topics)
    {
        var path = Path.Combine(directory, FileName);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new StreamWriter(stream, leaveOpen: true))
            {
                writer.NewLine = "\n";
                foreach (var topic in topics)
                {
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{topic.Name}\t{topic.Partitions}"));
                }
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
