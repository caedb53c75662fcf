import Foundation
import Testing
@testable import ArticleAnalysis

@Suite struct NERNameListsTests {
    func code(_ lists: NERNameLists, _ word: String) -> UInt8 {
        var scratch: [Unicode.Scalar] = []
        return lists.code(ofBaseHash: NERTokenAtoms(token: word, scratch: &scratch).base)
    }

    @Test func namesAndPlacesSetTheirBits() throws {
        var builder = NERNameLists.Builder()
        builder.add(personName: "فلاديمير بوتين")
        builder.add(personName: "زيدان")
        builder.add(place: "طرابلس")
        builder.add(place: "الولايات المتحدة")
        builder.add(personName: "com.junk")
        builder.add(personName: "50")
        let text = builder.text()
        let lists = try NERNameLists(text: text)
        #expect(lists.count == 6)
        typealias K = NERNameLists.Kind
        #expect(code(lists, "فلاديمير") == K.personNameWord.bit | K.givenName.bit)
        #expect(code(lists, "بوتين") == K.personNameWord.bit | K.familyName.bit)
        #expect(code(lists, "زيدان") == K.personNameWord.bit)
        // Clitics and the article are removed before lookup, as for every recognizer feature.
        #expect(code(lists, "وطرابلس") == K.place.bit)
        #expect(code(lists, "للولايات") == K.placeNameWord.bit)
        #expect(code(lists, "كتاب") == 0)
        #expect(text == builder.text())
        #expect(!text.contains("junk") && !text.contains("50"))
    }

    @Test func badLinesAreRefusedWithTheirNumber() {
        do {
            _ = try NERNameLists(text: "حلب\t8\nحمص\t99\n")
            Issue.record("bits out of range were accepted")
        } catch {
            #expect(error.line == 2)
        }
    }
}
