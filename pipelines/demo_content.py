"""Text material for the sample crawl made by ``pipelines.demo``: plain data, no logic.

All prose, site names and people here were written for crawlsift; none of it is copied from a
real web site. ``PARAGRAPHS`` holds, for each language, ``(headline, paragraph)`` pairs on
everyday topics; the generator composes articles from them. ``CHROME`` holds the boilerplate a
news site wraps around an article (menus, cookie banner, ads, newsletter box, footer) in the
page's language. ``PAGE`` and friends are ``str.format`` templates of the HTML and HTTP
messages; the rest fixes the crawl's shape (language mix, URL pieces, the pages that are not
articles, a PNG and a PDF made here) and the command line's words.
"""

from __future__ import annotations

from types import MappingProxyType

PARAGRAPHS = MappingProxyType(
    {
        "en": (
            (
                "A Quiet Revival for the Corner Bakery",
                "When the old bakery on Mill Street reopened last spring, few neighbours expected "
                "queues before seven in the morning. The new owners kept the brick oven and the "
                "faded sign, but they changed almost everything else. Sourdough loaves now sell "
                "out by ten, and on Saturdays there is a short list of cinnamon buns that regulars "
                "reserve by phone the evening before.",
            ),
            (
                "Why More Commuters Are Cycling Through Winter",
                "Cycling to work in January sounds miserable, yet the number of people who do it "
                "keeps growing. Most of them say the hardest part is simply getting out of the "
                "door. Once they are moving, a good jacket, warm gloves and bright lights make the "
                "ride bearable, and many insist that arriving at the office awake and cheerful is "
                "worth the cold fingers.",
            ),
            (
                "Growing Tomatoes on a Small Balcony",
                "You do not need a garden to grow tomatoes. A sunny balcony, a deep pot and a bag "
                "of decent compost are enough for a surprising harvest. Choose a compact variety, "
                "water it in the evening rather than at midday, and feed it once a week after the "
                "first flowers appear. By late summer, one plant can easily produce several kilos "
                "of fruit.",
            ),
            (
                "The Library That Lends Tools",
                "Besides books and films, the public library in our town now lends drills, "
                "ladders, sewing machines and even a pressure washer. Members book an item online "
                "and collect it at the front desk with their usual card. The librarians say the "
                "idea came from residents who were tired of buying expensive equipment that they "
                "would only use once or twice a year.",
            ),
            (
                "A Weekend Walk Along the Coast Path",
                "The coast path between the two fishing villages takes about four hours at a "
                "relaxed pace. It climbs gently over grassy cliffs, drops into sheltered coves and "
                "passes a lighthouse that has been painted white and red for more than a century. "
                "Bring water and a snack, because there is nowhere to buy food until you reach the "
                "harbour at the far end.",
            ),
            (
                "Fixing a Dripping Tap Yourself",
                "A dripping tap wastes a surprising amount of water and usually costs very little "
                "to repair. In most cases the problem is a worn washer or cartridge inside the "
                "handle. Turn off the supply under the sink, remove the handle carefully, and take "
                "the old part with you to the hardware shop so that you can buy an exact "
                "replacement.",
            ),
            (
                "Local Team Wins After Late Comeback",
                "The home side looked beaten at half time, trailing by two goals after a nervous "
                "first forty-five minutes. Everything changed when the coach brought on two young "
                "substitutes. Within twenty minutes the score was level, and in the final minute a "
                "low shot from the edge of the area slipped past the goalkeeper, sending the crowd "
                "into wild celebration.",
            ),
            (
                "How Families Are Cutting Their Food Bills",
                "Rising prices have pushed many families to rethink how they shop for groceries. "
                "Planning meals for the whole week, writing a list and sticking to it are the "
                "simplest habits that help. Some households now cook larger portions on Sunday and "
                "freeze them, while others buy vegetables in season from the market, where they "
                "are often cheaper and fresher.",
            ),
            (
                "An Evening of Jazz in the Old Town Hall",
                "The old town hall was full on Friday night for a concert by a local jazz quartet. "
                "The musicians played standards alongside several pieces they had written "
                "themselves, and the audience clapped along during the faster numbers. Between "
                "songs the pianist told stories about touring in small vans and sleeping on the "
                "floors of friends across the country.",
            ),
            (
                "Teaching Children to Save Their Pocket Money",
                "Many parents want their children to understand money but are not sure where to "
                "begin. A simple approach is to use three jars labelled spend, save and share. "
                "Each week the child divides their pocket money between the jars. Over time they "
                "see the savings jar grow, and they learn that waiting for something they really "
                "want can be rewarding.",
            ),
            (
                "Taking the Night Train Again",
                "Night trains are returning to many routes, and travellers are rediscovering their "
                "charm. You board in the evening, eat a simple dinner, and fall asleep to the "
                "steady rhythm of the wheels. In the morning you wake up in another city, often "
                "right in the centre, without the stress of airport security or the expense of a "
                "hotel room.",
            ),
            (
                "Adopting an Older Dog",
                "Puppies attract most of the attention at animal shelters, but older dogs often "
                "make calmer companions. Many of them are already house trained and used to "
                "walking on a lead. Staff at the shelter say that a dog of eight or nine years can "
                "still enjoy long walks, and that the bond with a new owner usually forms within a "
                "few weeks.",
            ),
            (
                "Starting to Run After Forty",
                "Taking up running later in life is easier than many people think. The key is to "
                "start slowly, alternating one minute of jogging with two minutes of walking, and "
                "to rest properly between sessions. After two months most beginners can run for "
                "half an hour without stopping, and many say they sleep better and feel less "
                "stressed at work.",
            ),
            (
                "Preparing the Garden for Autumn",
                "As the days grow shorter, there is plenty to do in the garden before the first "
                "frost arrives. Collect fallen leaves to make compost, plant spring bulbs in loose "
                "soil and cut back perennials that have finished flowering. It is also a good "
                "moment to clean your tools, oil the blades and store them somewhere dry for the "
                "winter.",
            ),
        ),
        "de": (
            (
                "Die Bäckerei an der Ecke hat wieder geöffnet",
                "Als die alte Bäckerei in der Mühlenstraße im Frühjahr wieder öffnete, rechnete "
                "kaum jemand mit Warteschlangen vor sieben Uhr morgens. Die neuen Besitzer haben "
                "den Holzofen und das verblasste Schild behalten, aber fast alles andere "
                "verändert. Das Sauerteigbrot ist meist schon um zehn Uhr ausverkauft, und "
                "samstags reservieren Stammkunden ihre Zimtschnecken bereits am Vorabend "
                "telefonisch.",
            ),
            (
                "Mit dem Fahrrad durch den Winter",
                "Im Januar mit dem Fahrrad zur Arbeit zu fahren, klingt zunächst ungemütlich, und "
                "trotzdem tun es immer mehr Menschen. Die meisten sagen, das Schwierigste sei, "
                "überhaupt aus der Haustür zu kommen. Mit einer guten Jacke, warmen Handschuhen "
                "und hellen Lampen ist die Fahrt gut auszuhalten, und wer wach und gut gelaunt im "
                "Büro ankommt, nimmt kalte Finger gern in Kauf.",
            ),
            (
                "Tomaten auf dem Balkon",
                "Für eigene Tomaten braucht man keinen Garten. Ein sonniger Balkon, ein tiefer "
                "Topf und gute Erde reichen für eine überraschend große Ernte. Wählen Sie eine "
                "kompakte Sorte, gießen Sie lieber am Abend als in der Mittagshitze und düngen Sie "
                "einmal pro Woche, sobald die ersten Blüten erscheinen. Im Spätsommer trägt eine "
                "einzige Pflanze oft mehrere Kilo Früchte.",
            ),
            (
                "Die Bibliothek verleiht jetzt auch Werkzeug",
                "Neben Büchern und Filmen verleiht die Stadtbibliothek inzwischen auch "
                "Bohrmaschinen, Leitern, Nähmaschinen und sogar einen Hochdruckreiniger. "
                "Mitglieder reservieren die Geräte online und holen sie mit ihrem normalen Ausweis "
                "an der Theke ab. Nach Angaben der Mitarbeiter kam die Idee von Bürgern, die keine "
                "teuren Geräte mehr kaufen wollten, die sie nur ein- oder zweimal im Jahr "
                "benutzen.",
            ),
            (
                "Wanderung durch den Herbstwald",
                "Der Rundweg durch den Stadtwald ist etwa zwölf Kilometer lang und auch für "
                "Familien mit Kindern gut geeignet. Er führt an einem kleinen See vorbei, über "
                "eine alte Steinbrücke und hinauf zu einem Aussichtsturm, von dem man bei klarem "
                "Wetter bis zu den Bergen sehen kann. Eine Einkehr gibt es unterwegs nicht, "
                "deshalb sollte man Proviant und genug Wasser mitnehmen.",
            ),
            (
                "Ein tropfender Wasserhahn ist schnell repariert",
                "Ein tropfender Wasserhahn verschwendet erstaunlich viel Wasser, dabei ist die "
                "Reparatur meist einfach und günstig. In den meisten Fällen ist eine abgenutzte "
                "Dichtung oder Kartusche schuld. Drehen Sie zuerst das Eckventil unter dem "
                "Waschbecken zu, bauen Sie den Griff vorsichtig ab und nehmen Sie das alte Teil "
                "mit in den Baumarkt, damit Sie genau das passende Ersatzteil bekommen.",
            ),
            (
                "Späte Wende im Heimspiel",
                "Zur Halbzeit sah die Heimmannschaft wie der sichere Verlierer aus, denn nach "
                "einer nervösen ersten Hälfte lag sie mit zwei Toren zurück. Dann brachte der "
                "Trainer zwei junge Spieler, und das Spiel änderte sich völlig. Nach zwanzig "
                "Minuten stand es unentschieden, und in der letzten Minute traf ein flacher Schuss "
                "vom Strafraumrand zum Sieg. Die Zuschauer jubelten noch lange nach dem Abpfiff.",
            ),
            (
                "Wie Familien beim Einkaufen sparen",
                "Die gestiegenen Preise bringen viele Familien dazu, ihren Einkauf neu zu planen. "
                "Wer die Mahlzeiten für die ganze Woche festlegt, einen Einkaufszettel schreibt "
                "und sich daran hält, spart oft schon eine Menge Geld. Manche Haushalte kochen am "
                "Sonntag größere Mengen und frieren Portionen ein, andere kaufen Gemüse der Saison "
                "auf dem Wochenmarkt, wo es häufig frischer und günstiger ist.",
            ),
            (
                "Jazzabend im alten Rathaus",
                "Am Freitagabend war der Saal im alten Rathaus bis auf den letzten Platz besetzt. "
                "Ein Quartett aus der Region spielte bekannte Stücke und einige eigene "
                "Kompositionen, und bei den schnelleren Nummern klatschte das Publikum begeistert "
                "mit. Zwischen den Liedern erzählte die Pianistin von langen Tourneen im kleinen "
                "Bus und von Nächten auf den Sofas befreundeter Musiker.",
            ),
            (
                "Kinder lernen den Umgang mit Taschengeld",
                "Viele Eltern möchten, dass ihre Kinder früh lernen, mit Geld umzugehen, wissen "
                "aber nicht, wie sie anfangen sollen. Eine einfache Methode sind drei Gläser mit "
                "den Aufschriften Ausgeben, Sparen und Teilen. Jede Woche verteilt das Kind sein "
                "Taschengeld auf die Gläser. So sieht es, wie das Ersparte wächst, und merkt, dass "
                "sich Geduld lohnen kann.",
            ),
            (
                "Die Rückkehr der Nachtzüge",
                "Auf vielen Strecken fahren wieder Nachtzüge, und immer mehr Reisende entdecken "
                "diese Art des Reisens neu. Man steigt am Abend ein, isst eine Kleinigkeit und "
                "schläft beim gleichmäßigen Rattern der Räder ein. Am Morgen wacht man in einer "
                "anderen Stadt auf, oft direkt im Zentrum, ohne Sicherheitskontrolle am Flughafen "
                "und ohne die Kosten für ein Hotelzimmer.",
            ),
            (
                "Ein älterer Hund aus dem Tierheim",
                "Im Tierheim bekommen Welpen die meiste Aufmerksamkeit, doch ältere Hunde sind oft "
                "die ruhigeren Begleiter. Viele von ihnen sind bereits stubenrein und gewohnt, an "
                "der Leine zu laufen. Die Pflegerinnen erzählen, dass auch ein Hund mit acht oder "
                "neun Jahren noch gern lange Spaziergänge macht und dass die Bindung zum neuen "
                "Besitzer meist schon nach wenigen Wochen entsteht.",
            ),
        ),
        "fr": (
            (
                "La boulangerie du coin renaît",
                "Quand la vieille boulangerie de la rue du Moulin a rouvert au printemps, personne "
                "ne s'attendait à voir des files d'attente avant sept heures du matin. Les "
                "nouveaux propriétaires ont gardé le four à bois et l'enseigne délavée, mais ils "
                "ont presque tout changé à l'intérieur. Le pain au levain est souvent épuisé dès "
                "dix heures, et le samedi, les habitués réservent leurs brioches la veille par "
                "téléphone.",
            ),
            (
                "Aller au travail à vélo en hiver",
                "Pédaler jusqu'au bureau en plein mois de janvier paraît pénible, et pourtant de "
                "plus en plus de gens le font. La plupart disent que le plus difficile est "
                "simplement de franchir la porte. Une fois en route, une bonne veste, des gants "
                "chauds et un éclairage puissant rendent le trajet supportable, et beaucoup "
                "affirment qu'arriver réveillé et de bonne humeur vaut bien quelques doigts gelés.",
            ),
            (
                "Des tomates sur le balcon",
                "Nul besoin d'un jardin pour cultiver des tomates. Un balcon ensoleillé, un pot "
                "profond et un bon terreau suffisent pour une récolte étonnante. Choisissez une "
                "variété compacte, arrosez le soir plutôt qu'en plein midi et apportez un peu "
                "d'engrais chaque semaine dès l'apparition des premières fleurs. À la fin de "
                "l'été, un seul plant peut donner plusieurs kilos de fruits.",
            ),
            (
                "La médiathèque prête aussi des outils",
                "En plus des livres et des films, la médiathèque de notre ville prête désormais "
                "des perceuses, des échelles, des machines à coudre et même un nettoyeur haute "
                "pression. Les abonnés réservent l'objet en ligne et le récupèrent à l'accueil "
                "avec leur carte habituelle. Selon les bibliothécaires, l'idée vient d'habitants "
                "lassés d'acheter du matériel coûteux qu'ils n'utilisent qu'une ou deux fois par "
                "an.",
            ),
            (
                "Randonnée sur le sentier côtier",
                "Le sentier qui relie les deux ports de pêche se parcourt en quatre heures "
                "environ, sans se presser. Il monte doucement sur les falaises couvertes d'herbe, "
                "descend vers des criques abritées et passe devant un phare peint en blanc et "
                "rouge depuis plus d'un siècle. Pensez à emporter de l'eau et un en-cas, car on ne "
                "trouve rien à manger avant d'arriver au port.",
            ),
            (
                "Réparer soi-même un robinet qui fuit",
                "Un robinet qui goutte gaspille une quantité d'eau surprenante, alors que la "
                "réparation coûte généralement très peu. Le plus souvent, le problème vient d'un "
                "joint ou d'une cartouche usée à l'intérieur de la poignée. Coupez l'arrivée d'eau "
                "sous l'évier, démontez la poignée avec précaution et apportez l'ancienne pièce au "
                "magasin de bricolage pour acheter exactement la même.",
            ),
            (
                "Victoire arrachée dans les dernières minutes",
                "À la mi-temps, l'équipe locale semblait battue, menée de deux buts après une "
                "première période très nerveuse. Tout a changé lorsque l'entraîneur a fait entrer "
                "deux jeunes remplaçants. En vingt minutes, les joueurs sont revenus au score, "
                "puis, dans la dernière minute, une frappe rasante du bord de la surface a trompé "
                "le gardien et fait exploser de joie tout le stade.",
            ),
            (
                "Comment les familles réduisent leurs dépenses",
                "La hausse des prix pousse de nombreuses familles à revoir leur façon de faire les "
                "courses. Prévoir les repas de la semaine, écrire une liste et s'y tenir sont les "
                "habitudes les plus simples pour économiser. Certains foyers cuisinent de grandes "
                "quantités le dimanche et congèlent des portions, tandis que d'autres achètent au "
                "marché des légumes de saison, souvent moins chers et plus frais.",
            ),
            (
                "Une soirée de jazz à l'ancienne mairie",
                "Vendredi soir, la salle de l'ancienne mairie était comble pour le concert d'un "
                "quartet de jazz de la région. Les musiciens ont joué des standards ainsi que "
                "plusieurs morceaux de leur composition, et le public a tapé dans ses mains "
                "pendant les titres les plus rapides. Entre deux chansons, la pianiste a raconté "
                "des souvenirs de tournées en camionnette et de nuits passées chez des amis.",
            ),
            (
                "Apprendre aux enfants à gérer leur argent de poche",
                "Beaucoup de parents souhaitent que leurs enfants comprennent la valeur de "
                "l'argent, sans savoir par où commencer. Une méthode simple consiste à utiliser "
                "trois bocaux marqués dépenser, épargner et partager. Chaque semaine, l'enfant "
                "répartit son argent de poche entre les bocaux. Peu à peu, il voit ses économies "
                "grandir et comprend qu'attendre pour obtenir ce qu'il désire vraiment peut être "
                "gratifiant.",
            ),
            (
                "Le retour des trains de nuit",
                "Les trains de nuit reviennent sur de nombreuses lignes, et les voyageurs "
                "redécouvrent leur charme. On monte à bord le soir, on dîne simplement, puis on "
                "s'endort bercé par le bruit régulier des roues. Le matin, on se réveille dans une "
                "autre ville, souvent en plein centre, sans le stress des contrôles à l'aéroport "
                "ni le prix d'une chambre d'hôtel.",
            ),
            (
                "Adopter un chien âgé",
                "Dans les refuges, les chiots attirent presque toute l'attention, mais les chiens "
                "plus âgés sont souvent des compagnons plus calmes. Beaucoup sont déjà propres et "
                "habitués à marcher en laisse. Les bénévoles expliquent qu'un chien de huit ou "
                "neuf ans aime encore les longues promenades et que le lien avec son nouveau "
                "maître se crée généralement en quelques semaines.",
            ),
        ),
        "es": (
            (
                "La panadería de la esquina vuelve a abrir",
                "Cuando la vieja panadería de la calle del Molino volvió a abrir en primavera, "
                "pocos vecinos esperaban ver colas antes de las siete de la mañana. Los nuevos "
                "dueños conservaron el horno de leña y el letrero descolorido, pero cambiaron casi "
                "todo lo demás. El pan de masa madre suele agotarse a las diez, y los sábados los "
                "clientes habituales reservan sus bollos por teléfono la noche anterior.",
            ),
            (
                "Ir en bicicleta al trabajo en invierno",
                "Ir en bicicleta a la oficina en pleno enero parece una mala idea, pero cada vez "
                "más personas lo hacen. La mayoría asegura que lo más difícil es salir de casa. "
                "Una vez en marcha, una buena chaqueta, unos guantes de abrigo y luces potentes "
                "hacen que el trayecto sea llevadero, y muchos dicen que llegar despiertos y de "
                "buen humor compensa los dedos fríos.",
            ),
            (
                "Tomates en un balcón pequeño",
                "No hace falta tener huerto para cultivar tomates. Un balcón soleado, una maceta "
                "profunda y un buen sustrato bastan para conseguir una cosecha sorprendente. Elija "
                "una variedad compacta, riegue por la tarde en lugar de al mediodía y añada abono "
                "una vez por semana cuando aparezcan las primeras flores. A finales del verano, "
                "una sola planta puede dar varios kilos de fruta.",
            ),
            (
                "La biblioteca que presta herramientas",
                "Además de libros y películas, la biblioteca municipal presta ahora taladros, "
                "escaleras, máquinas de coser e incluso una hidrolimpiadora. Los socios reservan "
                "el aparato por internet y lo recogen en el mostrador con su carné de siempre. "
                "Según el personal, la idea surgió de vecinos cansados de comprar herramientas "
                "caras que solo usaban una o dos veces al año.",
            ),
            (
                "Un paseo por el camino de la costa",
                "El sendero que une los dos pueblos pesqueros se recorre en unas cuatro horas sin "
                "prisa. Sube suavemente por acantilados cubiertos de hierba, baja a calas "
                "resguardadas y pasa junto a un faro pintado de blanco y rojo desde hace más de un "
                "siglo. Conviene llevar agua y algo de comer, porque no hay dónde comprar nada "
                "hasta llegar al puerto.",
            ),
            (
                "Cómo arreglar un grifo que gotea",
                "Un grifo que gotea desperdicia muchísima agua y, sin embargo, arreglarlo suele "
                "costar muy poco. Casi siempre el problema es una junta o un cartucho desgastado "
                "dentro de la maneta. Cierre la llave de paso bajo el fregadero, desmonte la "
                "maneta con cuidado y lleve la pieza vieja a la ferretería para comprar un "
                "recambio exactamente igual.",
            ),
            (
                "Remontada en el último minuto",
                "Al descanso, el equipo local parecía derrotado, ya que perdía por dos goles "
                "después de una primera parte muy nerviosa. Todo cambió cuando el entrenador dio "
                "entrada a dos suplentes jóvenes. En veinte minutos llegó el empate y, en el "
                "último minuto, un disparo raso desde la frontal del área se coló junto al poste, "
                "y la grada estalló de alegría.",
            ),
            (
                "Cómo ahorran las familias en la compra",
                "La subida de los precios ha llevado a muchas familias a replantearse cómo hacen "
                "la compra. Planificar los menús de toda la semana, escribir una lista y "
                "respetarla son los hábitos más sencillos para ahorrar. Algunos hogares cocinan "
                "raciones grandes el domingo y las congelan, mientras que otros compran verduras "
                "de temporada en el mercado, donde suelen ser más baratas y frescas.",
            ),
            (
                "Una noche de jazz en el antiguo ayuntamiento",
                "El viernes por la noche, el salón del antiguo ayuntamiento se llenó para el "
                "concierto de un cuarteto de jazz de la zona. Los músicos tocaron clásicos y "
                "varias piezas propias, y el público acompañó con palmas los temas más rápidos. "
                "Entre canción y canción, la pianista contó anécdotas de giras en furgoneta y de "
                "noches durmiendo en casas de amigos.",
            ),
            (
                "Enseñar a los niños a ahorrar",
                "Muchos padres quieren que sus hijos aprendan a manejar el dinero, pero no saben "
                "por dónde empezar. Un método sencillo consiste en usar tres tarros con las "
                "etiquetas gastar, ahorrar y compartir. Cada semana, el niño reparte su paga entre "
                "los tarros. Con el tiempo ve cómo crecen sus ahorros y descubre que esperar para "
                "conseguir algo que de verdad desea merece la pena.",
            ),
            (
                "La vuelta de los trenes nocturnos",
                "Los trenes nocturnos vuelven a muchas rutas y los viajeros están redescubriendo "
                "su encanto. Se sube a bordo por la tarde, se cena algo ligero y uno se duerme con "
                "el traqueteo constante de las ruedas. Por la mañana se despierta en otra ciudad, "
                "a menudo en pleno centro, sin las colas del aeropuerto y sin pagar una habitación "
                "de hotel.",
            ),
            (
                "Adoptar un perro mayor",
                "En las protectoras, los cachorros se llevan casi toda la atención, pero los "
                "perros mayores suelen ser compañeros más tranquilos. Muchos ya saben hacer sus "
                "necesidades en la calle y están acostumbrados a pasear con correa. Los "
                "voluntarios explican que un perro de ocho o nueve años todavía disfruta de los "
                "paseos largos y que el vínculo con su nuevo dueño se forma en pocas semanas.",
            ),
        ),
        "it": (
            (
                "Riapre il forno all'angolo",
                "Quando il vecchio forno di via del Mulino ha riaperto in primavera, pochi vicini "
                "si aspettavano di trovare la fila già prima delle sette del mattino. I nuovi "
                "proprietari hanno conservato il forno a legna e l'insegna sbiadita, ma hanno "
                "cambiato quasi tutto il resto. Il pane a lievitazione naturale finisce spesso "
                "entro le dieci, e il sabato i clienti abituali prenotano i cornetti per telefono "
                "la sera prima.",
            ),
            (
                "In bicicletta al lavoro anche d'inverno",
                "Andare in ufficio in bicicletta a gennaio sembra una sofferenza, eppure sono "
                "sempre di più le persone che lo fanno. Quasi tutti dicono che la parte più "
                "difficile è uscire di casa. Una volta partiti, una buona giacca, guanti caldi e "
                "luci potenti rendono il tragitto sopportabile, e molti sostengono che arrivare "
                "svegli e di buon umore valga qualche dito congelato.",
            ),
            (
                "Pomodori sul balcone di casa",
                "Per coltivare i pomodori non serve un orto. Bastano un balcone soleggiato, un "
                "vaso profondo e un buon terriccio per ottenere un raccolto sorprendente. "
                "Scegliete una varietà compatta, annaffiate la sera invece che a mezzogiorno e "
                "aggiungete un po' di concime ogni settimana, non appena compaiono i primi fiori. "
                "A fine estate una sola pianta può dare diversi chili di frutti.",
            ),
            (
                "La biblioteca che presta gli attrezzi",
                "Oltre a libri e film, la biblioteca comunale ora presta trapani, scale, macchine "
                "da cucire e perfino un'idropulitrice. Gli iscritti prenotano l'attrezzo su "
                "internet e lo ritirano al banco con la solita tessera. Secondo i bibliotecari, "
                "l'idea è nata da cittadini stanchi di comprare strumenti costosi che avrebbero "
                "usato soltanto una o due volte all'anno.",
            ),
            (
                "Una passeggiata sul sentiero costiero",
                "Il sentiero che collega i due paesi di pescatori si percorre in circa quattro "
                "ore, con calma. Sale dolcemente lungo scogliere erbose, scende verso piccole "
                "calette riparate e passa accanto a un faro dipinto di bianco e di rosso da più di "
                "un secolo. Conviene portare acqua e qualcosa da mangiare, perché non si trova "
                "nulla fino al porto.",
            ),
            (
                "Riparare da soli un rubinetto che gocciola",
                "Un rubinetto che gocciola spreca una quantità sorprendente d'acqua, eppure "
                "ripararlo costa quasi sempre pochissimo. Di solito il problema è una guarnizione "
                "o una cartuccia consumata all'interno della manopola. Chiudete il rubinetto sotto "
                "il lavandino, smontate la manopola con attenzione e portate il pezzo vecchio in "
                "ferramenta, così potrete comprare un ricambio identico.",
            ),
            (
                "Rimonta nel finale per la squadra di casa",
                "All'intervallo la squadra di casa sembrava ormai sconfitta, sotto di due gol dopo "
                "un primo tempo molto nervoso. Tutto è cambiato quando l'allenatore ha fatto "
                "entrare due giovani riserve. In venti minuti è arrivato il pareggio e, all'ultimo "
                "minuto, un tiro rasoterra dal limite dell'area ha sorpreso il portiere, facendo "
                "esplodere di gioia tutto lo stadio.",
            ),
            (
                "Come le famiglie risparmiano sulla spesa",
                "L'aumento dei prezzi ha spinto molte famiglie a ripensare il modo in cui fanno la "
                "spesa. Programmare i pasti della settimana, scrivere una lista e rispettarla sono "
                "le abitudini più semplici per risparmiare. Alcune famiglie cucinano grandi "
                "porzioni la domenica e le congelano, mentre altre comprano al mercato verdure di "
                "stagione, spesso più fresche e meno care.",
            ),
            (
                "Una serata jazz nel vecchio municipio",
                "Venerdì sera la sala del vecchio municipio era piena per il concerto di un "
                "quartetto jazz della zona. I musicisti hanno suonato brani classici e alcuni "
                "pezzi scritti da loro, e il pubblico ha battuto le mani durante i brani più "
                "veloci. Tra una canzone e l'altra la pianista ha raccontato aneddoti sulle "
                "tournée in furgone e sulle notti passate a casa di amici.",
            ),
            (
                "Insegnare ai bambini a risparmiare",
                "Molti genitori vorrebbero che i figli imparassero a gestire il denaro, ma non "
                "sanno da dove cominciare. Un metodo semplice consiste nell'usare tre barattoli "
                "con le scritte spendere, risparmiare e condividere. Ogni settimana il bambino "
                "divide la paghetta tra i barattoli. Col tempo vede crescere i risparmi e capisce "
                "che aspettare per ottenere qualcosa che desidera davvero può dare soddisfazione.",
            ),
            (
                "Il ritorno dei treni notturni",
                "I treni notturni stanno tornando su molte linee e i viaggiatori ne riscoprono il "
                "fascino. Si sale a bordo la sera, si cena in modo semplice e ci si addormenta "
                "cullati dal rumore regolare delle ruote. Al mattino ci si sveglia in un'altra "
                "città, spesso in pieno centro, senza lo stress dei controlli in aeroporto e senza "
                "pagare una camera d'albergo.",
            ),
            (
                "Adottare un cane anziano",
                "Nei canili i cuccioli attirano quasi tutta l'attenzione, ma i cani anziani sono "
                "spesso compagni più tranquilli. Molti sono già abituati a sporcare fuori casa e a "
                "camminare al guinzaglio. I volontari spiegano che un cane di otto o nove anni ama "
                "ancora le lunghe passeggiate e che il legame con il nuovo padrone nasce di solito "
                "nel giro di poche settimane.",
            ),
        ),
        "nl": (
            (
                "De bakker op de hoek is terug",
                "Toen de oude bakkerij in de Molenstraat dit voorjaar weer openging, had bijna "
                "niemand verwacht dat er voor zeven uur 's ochtends al een rij zou staan. De "
                "nieuwe eigenaren hielden de houtoven en het verbleekte uithangbord, maar "
                "veranderden bijna al het andere. Het zuurdesembrood is meestal om tien uur "
                "uitverkocht, en op zaterdag reserveren vaste klanten hun kaneelbroodjes de avond "
                "ervoor telefonisch.",
            ),
            (
                "Ook in de winter op de fiets naar het werk",
                "In januari naar kantoor fietsen klinkt niet aantrekkelijk, en toch doen steeds "
                "meer mensen het. De meesten zeggen dat de deur uit gaan het moeilijkste is. "
                "Eenmaal onderweg maken een goede jas, warme handschoenen en felle lampen de rit "
                "goed te doen, en velen vinden dat fris en vrolijk op het werk aankomen die koude "
                "vingers dubbel en dwars waard is.",
            ),
            (
                "Tomaten kweken op een klein balkon",
                "Je hebt geen tuin nodig om tomaten te kweken. Een zonnig balkon, een diepe pot en "
                "goede potgrond zijn genoeg voor een verrassend grote oogst. Kies een compacte "
                "soort, geef 's avonds water in plaats van midden op de dag en geef één keer per "
                "week wat voeding zodra de eerste bloemen verschijnen. Aan het eind van de zomer "
                "levert één plant gemakkelijk een paar kilo tomaten op.",
            ),
            (
                "De bibliotheek leent nu ook gereedschap uit",
                "Naast boeken en films leent de bibliotheek in onze stad nu ook boormachines, "
                "ladders, naaimachines en zelfs een hogedrukreiniger uit. Leden reserveren een "
                "apparaat online en halen het op bij de balie met hun gewone pas. Volgens de "
                "medewerkers kwam het idee van inwoners die geen dure spullen meer wilden kopen "
                "die ze maar een of twee keer per jaar gebruiken.",
            ),
            (
                "Een wandeling langs de kust",
                "Het wandelpad tussen de twee vissersdorpen loop je in ongeveer vier uur op een "
                "rustig tempo. Het klimt geleidelijk over begroeide duinen, daalt af naar "
                "beschutte strandjes en komt langs een vuurtoren die al meer dan honderd jaar rood "
                "en wit geschilderd is. Neem water en iets te eten mee, want onderweg kun je pas "
                "bij de haven weer iets kopen.",
            ),
            (
                "Zelf een lekkende kraan repareren",
                "Een druppende kraan verspilt verrassend veel water, terwijl de reparatie meestal "
                "weinig kost. Vaak is een versleten rubbertje of een kapotte cartouche in de "
                "hendel de oorzaak. Draai eerst de stopkraan onder de gootsteen dicht, haal de "
                "hendel voorzichtig los en neem het oude onderdeel mee naar de bouwmarkt, zodat je "
                "precies hetzelfde vervangende onderdeel kunt kopen.",
            ),
            (
                "Late ommekeer in de thuiswedstrijd",
                "Bij rust leek de thuisploeg kansloos, want na een zenuwachtige eerste helft stond "
                "het team met twee doelpunten achter. Alles veranderde toen de trainer twee jonge "
                "invallers het veld in stuurde. Binnen twintig minuten was de stand gelijk, en in "
                "de laatste minuut verdween een laag schot vanaf de rand van het strafschopgebied "
                "in de hoek, waarna het publiek uitzinnig juichte.",
            ),
            (
                "Hoe gezinnen besparen op boodschappen",
                "Door de gestegen prijzen denken veel gezinnen opnieuw na over hoe ze boodschappen "
                "doen. De maaltijden voor de hele week plannen, een lijstje maken en je daar ook "
                "aan houden zijn de eenvoudigste gewoonten die helpen. Sommige huishoudens koken "
                "op zondag grote porties en vriezen die in, terwijl anderen seizoensgroente op de "
                "markt kopen, waar die vaak goedkoper en verser is.",
            ),
            (
                "Jazzavond in het oude stadhuis",
                "Vrijdagavond zat de zaal van het oude stadhuis helemaal vol voor een concert van "
                "een jazzkwartet uit de regio. De muzikanten speelden bekende standards en een "
                "paar eigen nummers, en bij de snellere stukken klapte het publiek enthousiast "
                "mee. Tussen de liedjes door vertelde de pianiste verhalen over tournees in een "
                "klein busje en nachten op de bank bij vrienden.",
            ),
            (
                "Kinderen leren sparen met zakgeld",
                "Veel ouders willen dat hun kinderen leren omgaan met geld, maar weten niet goed "
                "hoe ze moeten beginnen. Een eenvoudige manier is om drie potten te gebruiken met "
                "de woorden uitgeven, sparen en delen. Elke week verdeelt het kind zijn zakgeld "
                "over de potten. Zo ziet het de spaarpot langzaam groeien en leert het dat wachten "
                "op iets wat je echt graag wilt de moeite waard is.",
            ),
            (
                "De nachttrein maakt een comeback",
                "Op steeds meer routes rijden weer nachttreinen, en reizigers ontdekken opnieuw "
                "hoe prettig dat is. Je stapt 's avonds in, eet iets eenvoudigs en valt in slaap "
                "op het regelmatige ritme van de wielen. De volgende ochtend word je wakker in een "
                "andere stad, vaak midden in het centrum, zonder gedoe op het vliegveld en zonder "
                "de kosten van een hotelkamer.",
            ),
            (
                "Een oudere hond uit het asiel",
                "In het asiel krijgen puppy's de meeste aandacht, maar oudere honden zijn vaak "
                "rustigere huisgenoten. Veel van hen zijn al zindelijk en gewend om aan de lijn te "
                "lopen. De verzorgers vertellen dat een hond van acht of negen jaar nog volop van "
                "lange wandelingen geniet en dat de band met een nieuw baasje meestal binnen een "
                "paar weken ontstaat.",
            ),
        ),
        "pl": (
            (
                "Piekarnia na rogu znów otwarta",
                "Kiedy wiosną ponownie otwarto starą piekarnię przy ulicy Młyńskiej, mało kto "
                "spodziewał się kolejek przed siódmą rano. Nowi właściciele zachowali piec "
                "opalany drewnem i wyblakły szyld, ale prawie wszystko inne zmienili. Chleb na "
                "zakwasie zwykle kończy się przed dziesiątą, a w soboty stali klienci rezerwują "
                "drożdżówki telefonicznie już poprzedniego wieczoru.",
            ),
            (
                "Rowerem do pracy także zimą",
                "Jazda rowerem do biura w styczniu brzmi jak kiepski pomysł, a jednak robi to "
                "coraz więcej osób. Większość z nich mówi, że najtrudniej jest po prostu wyjść z "
                "domu. Gdy już się jedzie, dobra kurtka, ciepłe rękawiczki i mocne światła "
                "sprawiają, że droga jest całkiem znośna, a wiele osób twierdzi, że dotarcie do "
                "pracy w dobrym humorze jest warte zmarzniętych palców.",
            ),
            (
                "Pomidory na małym balkonie",
                "Żeby uprawiać pomidory, nie potrzeba ogrodu. Wystarczy słoneczny balkon, głęboka "
                "donica i dobra ziemia, aby zebrać zaskakująco duże plony. Warto wybrać niską "
                "odmianę, podlewać wieczorem zamiast w południe i raz w tygodniu dodawać nawóz, "
                "gdy pojawią się pierwsze kwiaty. Pod koniec lata jedna roślina może dać nawet "
                "kilka kilogramów owoców.",
            ),
            (
                "Biblioteka wypożycza narzędzia",
                "Oprócz książek i filmów miejska biblioteka wypożycza teraz wiertarki, drabiny, "
                "maszyny do szycia, a nawet myjkę ciśnieniową. Czytelnicy rezerwują sprzęt przez "
                "internet i odbierają go w wypożyczalni na podstawie zwykłej karty. Jak mówią "
                "bibliotekarki, pomysł zgłosili mieszkańcy, którzy nie chcieli kupować drogich "
                "urządzeń używanych tylko raz lub dwa razy w roku.",
            ),
            (
                "Spacer nadmorskim szlakiem",
                "Szlak łączący dwie rybackie wioski można spokojnie przejść w około cztery "
                "godziny. Prowadzi łagodnie w górę po porośniętych trawą klifach, schodzi do "
                "osłoniętych zatoczek i mija latarnię morską, która od ponad stu lat jest "
                "pomalowana na biało i czerwono. Trzeba zabrać wodę i coś do jedzenia, bo aż do "
                "portu nie ma gdzie niczego kupić.",
            ),
            (
                "Jak samemu naprawić cieknący kran",
                "Cieknący kran marnuje zaskakująco dużo wody, a jego naprawa zwykle kosztuje "
                "niewiele. Najczęściej winna jest zużyta uszczelka albo głowica wewnątrz "
                "pokrętła. Najpierw zakręć zawór pod zlewem, ostrożnie zdejmij pokrętło, a potem "
                "zabierz starą część do sklepu budowlanego, żeby kupić dokładnie taki sam "
                "zamiennik.",
            ),
            (
                "Zwycięstwo w ostatniej minucie",
                "Po pierwszej połowie gospodarze wyglądali na pokonanych, bo po nerwowych "
                "czterdziestu pięciu minutach przegrywali dwiema bramkami. Wszystko zmieniło się, "
                "gdy trener wpuścił na boisko dwóch młodych rezerwowych. W ciągu dwudziestu minut "
                "był remis, a w ostatniej minucie płaski strzał zza pola karnego wpadł tuż przy "
                "słupku i kibice oszaleli z radości.",
            ),
            (
                "Jak rodziny oszczędzają na zakupach",
                "Rosnące ceny sprawiły, że wiele rodzin zaczęło inaczej planować zakupy. Ustalenie "
                "posiłków na cały tydzień, spisanie listy i trzymanie się jej to najprostsze "
                "nawyki, które pomagają oszczędzać. Niektóre domy gotują w niedzielę większe "
                "porcje i zamrażają je na później, a inne kupują sezonowe warzywa na targu, gdzie "
                "często są tańsze i świeższe.",
            ),
            (
                "Wieczór jazzowy w starym ratuszu",
                "W piątkowy wieczór sala starego ratusza była pełna na koncercie miejscowego "
                "kwartetu jazzowego. Muzycy zagrali znane standardy oraz kilka własnych utworów, a "
                "przy szybszych kawałkach publiczność klaskała do rytmu. Między piosenkami "
                "pianistka opowiadała o trasach koncertowych w małym busie i nocach spędzonych na "
                "kanapach u przyjaciół.",
            ),
            (
                "Dzieci uczą się oszczędzać kieszonkowe",
                "Wielu rodziców chce, żeby dzieci wcześnie nauczyły się obchodzić z pieniędzmi, "
                "ale nie wie, od czego zacząć. Prostym sposobem są trzy słoiki z napisami wydaję, "
                "oszczędzam i dzielę się. Co tydzień dziecko rozdziela kieszonkowe między słoiki. "
                "Z czasem widzi, jak rosną oszczędności, i rozumie, że cierpliwe czekanie na "
                "wymarzoną rzecz naprawdę się opłaca.",
            ),
            (
                "Powrót nocnych pociągów",
                "Na wiele tras wracają nocne pociągi, a podróżni na nowo odkrywają ich urok. "
                "Wsiada się wieczorem, zjada skromną kolację i zasypia przy równym stukocie kół. "
                "Rano budzimy się w innym mieście, często w samym centrum, bez stresu związanego z "
                "kontrolą na lotnisku i bez płacenia za pokój w hotelu.",
            ),
            (
                "Adopcja starszego psa",
                "W schroniskach najwięcej uwagi przyciągają szczeniaki, ale starsze psy są często "
                "spokojniejszymi towarzyszami. Wiele z nich jest już nauczonych czystości i "
                "przyzwyczajonych do chodzenia na smyczy. Wolontariusze mówią, że pies w wieku "
                "ośmiu czy dziewięciu lat nadal lubi długie spacery, a więź z nowym opiekunem "
                "zwykle tworzy się w ciągu kilku tygodni.",
            ),
        ),
        "ja": (
            (
                "角のパン屋が再開",
                "春にミル通りの古いパン屋が営業を再開したとき、朝七時前から行列ができるとは近所の"
                "誰も思っていなかった。新しい店主は薪の窯と色あせた看板をそのまま残したが、それ以"
                "外はほとんど作り変えた。天然酵母のパンはたいてい十時までに売り切れ、土曜日には常"
                "連客が前の晩に電話でシナモンロールを予約している。",
            ),
            (
                "冬でも自転車通勤",
                "一月に自転車で会社へ通うのはつらそうに聞こえるが、実際に続けている人は年々増えて"
                "いる。多くの人は、いちばん大変なのは玄関を出る瞬間だと言う。走り出してしまえば、"
                "暖かい上着と手袋、明るいライトがあれば十分に耐えられる。目が覚めた状態で気分よく"
                "職場に着けるなら、指先の冷たさも気にならないそうだ。",
            ),
            (
                "小さなベランダでトマトを育てる",
                "トマトを育てるのに庭は必要ない。日当たりのよいベランダと深めの鉢、質のよい土があ"
                "れば、驚くほどの収穫が期待できる。背の低い品種を選び、水やりは昼ではなく夕方に行"
                "い、最初の花が咲いたら週に一度肥料を与えるとよい。夏の終わりには、一株から数キロ"
                "の実がとれることも珍しくない。",
            ),
            (
                "工具を貸し出す図書館",
                "私たちの町の図書館では、本や映画に加えて、電動ドリルやはしご、ミシン、さらには高"
                "圧洗浄機まで貸し出している。利用者はインターネットで予約し、いつもの利用カードを"
                "使って窓口で受け取る。職員によると、年に一、二回しか使わない高価な道具を買うのは"
                "もったいないという住民の声から生まれた取り組みだという。",
            ),
            (
                "海沿いの遊歩道を歩く",
                "二つの漁村を結ぶ海沿いの遊歩道は、ゆっくり歩いて四時間ほどかかる。草に覆われた崖"
                "をなだらかに上り、静かな入り江へと下り、百年以上も白と赤に塗られてきた灯台のそば"
                "を通る。終点の港に着くまで食べ物を買える店はないので、水と軽食を忘れずに持ってい"
                "こう。",
            ),
            (
                "水漏れする蛇口は自分で直せる",
                "ぽたぽたと水が漏れる蛇口は、思った以上に多くの水を無駄にしているが、修理にかかる"
                "費用はたいてい少ない。原因の多くは、ハンドルの中にあるパッキンやカートリッジの劣"
                "化だ。まず流しの下の止水栓を閉め、ハンドルを慎重に外してから、古い部品をホームセ"
                "ンターに持っていけば、同じ交換部品を確実に買うことができる。",
            ),
            (
                "終了間際の逆転勝利",
                "前半を終えた時点で、地元のチームは緊張から二点を追う苦しい展開だった。流れが変わ"
                "ったのは、監督が二人の若手選手を投入してからだ。二十分ほどで同点に追いつき、試合"
                "終了直前にはペナルティエリアの外から放った低いシュートがゴールに吸い込まれ、スタ"
                "ンドは大きな歓声に包まれた。",
            ),
            (
                "家族で食費を節約する工夫",
                "物価の上昇を受けて、買い物の仕方を見直す家庭が増えている。一週間分の献立を先に決"
                "め、買い物リストを作ってそれを守ることが、いちばん簡単な節約方法だ。日曜日にまと"
                "めて料理を作って冷凍しておく家庭もあれば、市場で旬の野菜を買う家庭もある。旬の野"
                "菜は新鮮で、値段も安いことが多い。",
            ),
            (
                "旧市庁舎でジャズの夕べ",
                "金曜日の夜、旧市庁舎のホールは地元のジャズ四重奏団の演奏会で満席になった。メンバ"
                "ーは有名なスタンダード曲に加えて自作の曲もいくつか披露し、テンポの速い曲では観客"
                "が手拍子で盛り上げた。曲の合間には、ピアニストが小さなバンで各地を回った話や、友"
                "人の家の床で寝た思い出を語った。",
            ),
            (
                "子どもにお小遣いの使い方を教える",
                "子どもにお金の大切さを教えたいと思っていても、何から始めればよいのか迷う親は多い"
                "。簡単な方法のひとつは、「使う」「貯める」「分ける」と書いた三つの瓶を用意するこ"
                "とだ。子どもは毎週お小遣いを三つの瓶に分けて入れる。貯金が少しずつ増えるのを見る"
                "ことで、欲しいものを待つことの価値を学んでいく。",
            ),
            (
                "夜行列車の復活",
                "多くの路線で夜行列車が復活し、旅行者たちがその魅力を改めて見直している。夕方に乗"
                "り込み、簡単な夕食をとったら、車輪の規則正しい音を聞きながら眠りにつく。翌朝には"
                "別の街で目を覚まし、しかも多くの場合は街の中心に着く。空港の保安検査に並ぶ必要も"
                "なく、ホテル代もかからない。",
            ),
            (
                "年をとった犬を迎える",
                "保護施設では子犬ばかりが注目されがちだが、年をとった犬のほうが落ち着いた家族にな"
                "ることも多い。すでにトイレのしつけができていて、リードをつけた散歩に慣れている犬"
                "も少なくない。職員によれば、八歳や九歳の犬でも長い散歩を楽しめるし、新しい飼い主"
                "との絆はたいてい数週間で生まれるという。",
            ),
        ),
        "zh": (
            (
                "街角面包店重新开张",
                "今年春天，磨坊街上的那家老面包店重新开张时，几乎没有邻居想到早上七点前就会排起长"
                "队。新店主保留了烧柴的烤炉和褪色的招牌，但其他几乎全都换了样子。天然酵母面包通常"
                "不到十点就卖光了，每到星期六，老顾客们会在前一天晚上打电话预订肉桂卷。",
            ),
            (
                "冬天也骑车上班",
                "一月份骑自行车去上班听起来很辛苦，可是这样做的人却越来越多。大多数人说，最难的其"
                "实是迈出家门的那一刻。一旦骑上车，一件好外套、一副暖和的手套和明亮的车灯就能让路"
                "程变得可以忍受。许多人认为，清醒又愉快地到达办公室，完全值得忍受手指的寒冷。",
            ),
            (
                "在小阳台上种番茄",
                "种番茄并不一定需要院子。一个阳光充足的阳台、一个较深的花盆和一袋好土，就能带来令"
                "人惊喜的收成。最好选择矮小的品种，在傍晚而不是中午浇水，等第一批花开后每周施一次"
                "肥。到了夏末，一株番茄往往就能结出好几公斤果实。",
            ),
            (
                "可以借工具的图书馆",
                "除了图书和电影，我们市的图书馆现在还出借电钻、梯子、缝纫机，甚至还有一台高压清洗"
                "机。读者可以在网上预约，然后凭平时的借书证到服务台领取。图书馆员说，这个主意来自"
                "一些居民，他们不想再花大价钱买那些一年只用一两次的工具。",
            ),
            (
                "沿着海岸小路散步",
                "连接两个渔村的海岸小路，慢慢走大约需要四个小时。小路沿着长满青草的悬崖缓缓向上，"
                "又下到安静的小海湾，途中还会经过一座一百多年来一直漆成红白两色的灯塔。记得带上水"
                "和点心，因为在到达终点的港口之前，路上没有地方可以买吃的。",
            ),
            (
                "自己动手修理漏水的水龙头",
                "一直滴水的水龙头会浪费大量的水，而修理它通常花不了多少钱。大多数情况下，问题出在"
                "手柄里面磨损的垫圈或阀芯上。先关掉水槽下面的进水阀，再小心地拆下手柄，然后把旧零"
                "件带到五金店，这样就能买到完全一样的替换件。",
            ),
            (
                "最后时刻的逆转胜利",
                "半场结束时，主队看起来已经输定了，在紧张的上半场之后落后两个球。教练换上两名年轻"
                "替补后，比赛形势完全改变。不到二十分钟，主队就扳平了比分。比赛最后一分钟，一脚从"
                "禁区边缘打出的低射滑进球门，看台上的球迷们顿时欢呼起来。",
            ),
            (
                "家庭如何节省伙食费",
                "物价上涨让很多家庭开始重新考虑买菜的方式。提前安排好一周的饭菜，写一张购物清单并"
                "严格按照清单购买，是最简单的省钱习惯。有的家庭会在星期天一次做很多饭菜，分成小份"
                "冷冻起来；也有的家庭去市场买当季蔬菜，因为那里的菜往往更新鲜也更便宜。",
            ),
            (
                "老市政厅里的爵士之夜",
                "星期五晚上，老市政厅的大厅坐满了观众，大家来听本地一支爵士四重奏乐队的演出。乐手"
                "们演奏了许多经典曲目，也表演了几首自己创作的作品，节奏快的曲子响起时，观众们跟着"
                "一起拍手。歌曲之间，钢琴手讲述了他们开着小面包车四处巡演、在朋友家地板上过夜的故"
                "事。",
            ),
            (
                "教孩子管理零花钱",
                "很多父母希望孩子早点懂得如何用钱，却不知道应该从哪里开始。一个简单的办法是准备三"
                "个罐子，分别写上“花”、“存”和“分享”。孩子每周把零花钱分到三个罐子里。慢慢地"
                "，他们会看到存下来的钱越来越多，也会明白耐心等待自己真正想要的东西是值得的。",
            ),
            (
                "夜班火车回来了",
                "许多线路重新开通了夜班火车，旅客们又一次发现了它的魅力。傍晚上车，吃一顿简单的晚"
                "饭，然后伴着车轮有节奏的声音入睡。第二天早上醒来，已经到了另一座城市，而且常常就"
                "在市中心，既不用在机场排队安检，也省下了一晚的酒店费用。",
            ),
            (
                "领养一只老狗",
                "在动物收容所里，小狗总是最受关注，但年纪大一些的狗往往是更安静的伙伴。它们中的很"
                "多已经养成了良好的习惯，也习惯了系着牵引绳散步。工作人员说，八九岁的狗仍然喜欢长"
                "距离散步，而且和新主人之间的感情通常在几周之内就能建立起来。",
            ),
        ),
    }
)


def _chrome(**strings: object) -> MappingProxyType:
    return MappingProxyType(strings)


# Site furniture per language. "sites" are (name, host label) pairs: host = www.<label>.example.
CHROME = MappingProxyType(
    {
        "en": _chrome(
            nav=("Home", "News", "Local", "Sport", "Culture", "Travel", "Food & Drink"),
            cookie="We use cookies to improve your experience, measure traffic and show "
            "personalised ads. By clicking “Accept all cookies” you agree to our use of cookies.",
            accept="Accept all cookies",
            settings="Manage settings",
            ad="Advertisement",
            ad_copy=(
                "Save up to 40% on summer holidays – book today!",
                "New electric bikes from £999. Test ride this weekend.",
                "Fast fibre broadband for your home. Check availability now.",
            ),
            newsletter_title="Subscribe to our newsletter",
            newsletter="Get our best stories delivered to your inbox every morning.",
            email="Your email address",
            subscribe="Sign up",
            share="Share this article",
            related="Related articles",
            by="By",
            rights="All rights reserved.",
            footer=("About us", "Contact", "Privacy policy", "Cookie settings", "Terms of use"),
            update="This article has been updated since it was first published.",
            tiny=(
                ("Sign in", "Please sign in to your account to continue."),
                ("Thank you", "Your newsletter subscription has been confirmed."),
            ),
            authors=("Emma Hartley", "James Okafor", "Sarah Lindqvist"),
            sites=(("The Morning Kettle", "morningkettle"), ("Harbourside Gazette", "harbourside")),
        ),
        "de": _chrome(
            nav=("Startseite", "Nachrichten", "Region", "Sport", "Kultur", "Reisen", "Genuss"),
            cookie="Wir verwenden Cookies, um Ihnen ein besseres Nutzungserlebnis zu bieten, die "
            "Reichweite zu messen und personalisierte Werbung anzuzeigen. Mit einem Klick auf "
            "„Alle akzeptieren“ stimmen Sie der Verwendung zu.",
            accept="Alle akzeptieren",
            settings="Einstellungen",
            ad="Anzeige",
            ad_copy=(
                "Jetzt bis zu 40 % auf Ihren Sommerurlaub sparen!",
                "Neue E-Bikes ab 999 Euro – Probefahrt am Wochenende.",
                "Schnelles Glasfaser-Internet für Ihr Zuhause. Jetzt Verfügbarkeit prüfen.",
            ),
            newsletter_title="Newsletter",
            newsletter="Die wichtigsten Geschichten jeden Morgen in Ihrem Postfach.",
            email="Ihre E-Mail-Adresse",
            subscribe="Anmelden",
            share="Artikel teilen",
            related="Das könnte Sie auch interessieren",
            by="Von",
            rights="Alle Rechte vorbehalten.",
            footer=("Über uns", "Kontakt", "Impressum", "Datenschutz", "Cookie-Einstellungen"),
            update="Dieser Artikel wurde nach der Veröffentlichung aktualisiert.",
            tiny=(
                ("Anmelden", "Bitte melden Sie sich an, um fortzufahren."),
                ("Vielen Dank", "Ihre Anmeldung zum Newsletter wurde bestätigt."),
            ),
            authors=("Katrin Vogel", "Jonas Albrecht", "Miriam Schulte"),
            sites=(("Stadtanzeiger am Morgen", "stadtanzeiger"), ("Rheinblick", "rheinblick")),
        ),
        "fr": _chrome(
            nav=("Accueil", "Actualités", "Région", "Sport", "Culture", "Voyages", "Cuisine"),
            cookie="Nous utilisons des cookies pour améliorer votre expérience, mesurer "
            "l'audience et afficher des publicités personnalisées. En cliquant sur « Tout "
            "accepter », vous consentez à leur utilisation.",
            accept="Tout accepter",
            settings="Paramétrer",
            ad="Publicité",
            ad_copy=(
                "Jusqu'à 40 % de réduction sur vos vacances d'été !",
                "Nouveaux vélos électriques dès 999 € – essai gratuit ce week-end.",
                "La fibre chez vous en quelques jours. Testez votre éligibilité.",
            ),
            newsletter_title="Lettre d'information",
            newsletter="Recevez chaque matin nos meilleurs articles dans votre boîte mail.",
            email="Votre adresse e-mail",
            subscribe="Je m'inscris",
            share="Partager cet article",
            related="À lire aussi",
            by="Par",
            rights="Tous droits réservés.",
            footer=("Qui sommes-nous", "Contact", "Mentions légales", "Confidentialité", "Cookies"),
            update="Cet article a été mis à jour après sa publication.",
            tiny=(
                ("Connexion", "Veuillez vous connecter pour continuer."),
                ("Merci", "Votre inscription à la lettre d'information est confirmée."),
            ),
            authors=("Claire Dubois", "Julien Marchand", "Sophie Lefèvre"),
            sites=(("Le Petit Courrier", "petitcourrier"), ("L'Écho des Quais", "echodesquais")),
        ),
        "es": _chrome(
            nav=("Portada", "Noticias", "Local", "Deportes", "Cultura", "Viajes", "Gastronomía"),
            cookie="Utilizamos cookies propias y de terceros para mejorar tu experiencia, medir "
            "la audiencia y mostrar publicidad personalizada. Al pulsar «Aceptar todo» aceptas "
            "su uso.",
            accept="Aceptar todo",
            settings="Configurar",
            ad="Publicidad",
            ad_copy=(
                "¡Ahorra hasta un 40 % en tus vacaciones de verano!",
                "Nuevas bicis eléctricas desde 999 €. Pruébalas este fin de semana.",
                "Fibra óptica en tu casa en pocos días. Consulta la cobertura.",
            ),
            newsletter_title="Boletín",
            newsletter="Recibe cada mañana nuestras mejores historias en tu correo.",
            email="Tu correo electrónico",
            subscribe="Suscribirme",
            share="Compartir este artículo",
            related="Te puede interesar",
            by="Por",
            rights="Todos los derechos reservados.",
            footer=("Quiénes somos", "Contacto", "Aviso legal", "Privacidad", "Cookies"),
            update="Este artículo ha sido actualizado después de su publicación.",
            tiny=(
                ("Iniciar sesión", "Inicia sesión en tu cuenta para continuar."),
                ("Gracias", "Tu suscripción al boletín ha sido confirmada."),
            ),
            authors=("Lucía Romero", "Javier Ortega", "Marta Castillo"),
            sites=(
                ("El Diario del Puerto", "diariodelpuerto"),
                ("Crónica de la Sierra", "cronica"),
            ),
        ),
        "it": _chrome(
            nav=("Home", "Notizie", "Cronaca", "Sport", "Cultura", "Viaggi", "Cucina"),
            cookie="Utilizziamo i cookie per migliorare la tua esperienza, misurare il traffico e "
            "mostrarti pubblicità personalizzata. Cliccando su «Accetta tutti» acconsenti al loro "
            "utilizzo.",
            accept="Accetta tutti",
            settings="Personalizza",
            ad="Pubblicità",
            ad_copy=(
                "Risparmia fino al 40% sulle vacanze estive!",
                "Nuove bici elettriche da 999 euro: provale questo fine settimana.",
                "Fibra ultraveloce a casa tua. Verifica la copertura.",
            ),
            newsletter_title="Newsletter",
            newsletter="Ricevi ogni mattina le nostre storie migliori nella tua casella di posta.",
            email="Il tuo indirizzo email",
            subscribe="Iscriviti",
            share="Condividi questo articolo",
            related="Potrebbe interessarti anche",
            by="Di",
            rights="Tutti i diritti riservati.",
            footer=("Chi siamo", "Contatti", "Note legali", "Privacy", "Preferenze cookie"),
            update="Questo articolo è stato aggiornato dopo la pubblicazione.",
            tiny=(
                ("Accedi", "Accedi al tuo account per continuare."),
                ("Grazie", "La tua iscrizione alla newsletter è stata confermata."),
            ),
            authors=("Giulia Ferri", "Marco Bellini", "Chiara Conti"),
            sites=(("Il Corriere del Borgo", "corrieredelborgo"), ("La Voce del Lago", "vocelago")),
        ),
        "nl": _chrome(
            nav=("Home", "Nieuws", "Regio", "Sport", "Cultuur", "Reizen", "Eten & drinken"),
            cookie="Wij gebruiken cookies om je ervaring te verbeteren, bezoekersaantallen te "
            "meten en gepersonaliseerde advertenties te tonen. Door op 'Alles accepteren' te "
            "klikken, ga je hiermee akkoord.",
            accept="Alles accepteren",
            settings="Instellingen",
            ad="Advertentie",
            ad_copy=(
                "Bespaar tot 40% op je zomervakantie!",
                "Nieuwe elektrische fietsen vanaf 999 euro. Maak dit weekend een proefrit.",
                "Snel glasvezel in huis. Bekijk of het bij jou beschikbaar is.",
            ),
            newsletter_title="Nieuwsbrief",
            newsletter="Ontvang elke ochtend onze beste verhalen in je mailbox.",
            email="Je e-mailadres",
            subscribe="Aanmelden",
            share="Deel dit artikel",
            related="Meer over dit onderwerp",
            by="Door",
            rights="Alle rechten voorbehouden.",
            footer=("Over ons", "Contact", "Colofon", "Privacy", "Cookie-instellingen"),
            update="Dit artikel is na publicatie bijgewerkt.",
            tiny=(
                ("Inloggen", "Log in op je account om verder te gaan."),
                ("Bedankt", "Je aanmelding voor de nieuwsbrief is bevestigd."),
            ),
            authors=("Sanne de Vries", "Thijs Bakker", "Fleur Jansen"),
            sites=(("Dagblad van de Polder", "dagbladpolder"), ("Grachtenpost", "grachtenpost")),
        ),
        "pl": _chrome(
            nav=("Strona główna", "Wiadomości", "Region", "Sport", "Kultura", "Podróże", "Kuchnia"),
            cookie="Używamy plików cookie, aby poprawić jakość korzystania z serwisu, mierzyć "
            "ruch i wyświetlać spersonalizowane reklamy. Klikając „Akceptuję wszystkie”, "
            "wyrażasz zgodę na ich użycie.",
            accept="Akceptuję wszystkie",
            settings="Ustawienia",
            ad="Reklama",
            ad_copy=(
                "Oszczędź do 40% na wakacjach – zarezerwuj już dziś!",
                "Nowe rowery elektryczne od 3999 zł. Jazda próbna w ten weekend.",
                "Szybki światłowód w Twoim domu. Sprawdź dostępność.",
            ),
            newsletter_title="Newsletter",
            newsletter="Otrzymuj codziennie rano najciekawsze artykuły na swoją skrzynkę.",
            email="Twój adres e-mail",
            subscribe="Zapisz się",
            share="Udostępnij artykuł",
            related="Zobacz także",
            by="Autor:",
            rights="Wszelkie prawa zastrzeżone.",
            footer=("O nas", "Kontakt", "Regulamin", "Polityka prywatności", "Ustawienia cookie"),
            update="Ten artykuł został zaktualizowany po publikacji.",
            tiny=(
                ("Zaloguj się", "Zaloguj się na swoje konto, aby kontynuować."),
                ("Dziękujemy", "Twoja subskrypcja newslettera została potwierdzona."),
            ),
            authors=("Anna Kowalczyk", "Piotr Zieliński", "Magdalena Wróbel"),
            sites=(("Gazeta Nadrzeczna", "gazetanadrzeczna"), ("Kurier Osiedlowy", "kurier")),
        ),
        "ja": _chrome(
            nav=("ホーム", "ニュース", "地域", "スポーツ", "カルチャー", "旅行", "グルメ"),
            cookie="当サイトでは、利便性の向上やアクセス解析、広告配信のためにクッキーを使用して"
            "います。「すべて同意する」をクリックすると、クッキーの使用に同意したものとみなされ"
            "ます。",
            accept="すべて同意する",
            settings="設定",
            ad="広告",
            ad_copy=(
                "夏の旅行が最大40%オフ！今すぐ予約",
                "新型電動アシスト自転車、週末試乗会開催中",
                "光回線をご自宅に。提供エリアを今すぐ確認",
            ),
            newsletter_title="ニュースレター",
            newsletter="毎朝、注目の記事をメールでお届けします。",
            email="メールアドレス",
            subscribe="登録する",
            share="この記事をシェア",
            related="関連記事",
            by="文：",
            rights="無断転載を禁じます。",
            footer=("会社概要", "お問い合わせ", "利用規約", "プライバシーポリシー", "クッキー設定"),
            update="この記事は公開後に更新されました。",
            tiny=(
                ("ログイン", "続けるにはログインしてください。"),
                ("ありがとうございます", "ニュースレターの登録が完了しました。"),
            ),
            authors=("佐藤 美咲", "田中 健一", "山本 由紀"),
            sites=(("みなと日報", "minato-nippo"), ("まちかど新聞", "machikado-shimbun")),
        ),
        "zh": _chrome(
            nav=("首页", "新闻", "本地", "体育", "文化", "旅游", "美食"),
            cookie="我们使用Cookie来改善您的浏览体验、统计访问量并展示个性化广告。点击“全部接受"
            "”即表示您同意我们使用Cookie。",
            accept="全部接受",
            settings="设置",
            ad="广告",
            ad_copy=(
                "暑期旅游最高优惠40%，立即预订！",
                "全新电动自行车，本周末免费试骑。",
                "光纤宽带快速入户，马上查询覆盖范围。",
            ),
            newsletter_title="电子报",
            newsletter="每天早上把最精彩的文章发送到您的邮箱。",
            email="您的邮箱地址",
            subscribe="订阅",
            share="分享本文",
            related="相关文章",
            by="作者：",
            rights="版权所有。",
            footer=("关于我们", "联系我们", "使用条款", "隐私政策", "Cookie设置"),
            update="本文在发布后已更新。",
            tiny=(("登录", "请登录您的账户以继续。"), ("谢谢", "您的电子报订阅已确认。")),
            authors=("李明", "王芳", "陈静"),
            sites=(("城市晨报", "chengshi-chenbao"), ("江畔日报", "jiangpan-ribao")),
        ),
    }
)

# HTML templates (str.format). Text put into them is escaped by the generator.
PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {site}</title>
<link rel="stylesheet" href="/assets/site.css">
<script async src="/assets/ads.js"></script>
</head>
<body>
{cookie}
<header class="site-header">
<a class="logo" href="/">{site}</a>
<nav class="main-nav"><ul>{nav}</ul></nav>
</header>
{top_ad}
<div class="layout">
<main id="content">
{main}
</main>
<aside class="sidebar">
<section class="related"><h2>{related}</h2><ul>{links}</ul></section>
{side_ad}
<section class="newsletter"><h3>{newsletter_title}</h3><p>{newsletter}</p>
<form action="/newsletter" method="post"><input type="email" name="email" \
placeholder="{email}"><button type="submit">{subscribe}</button></form></section>
</aside>
</div>
<footer class="site-footer">
<ul>{footer_links}</ul>
<p>© {year} {site}. {rights}</p>
</footer>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"event": "pageview"}});</script>
</body>
</html>
"""

ARTICLE = """<article>
<h1>{title}</h1>
<p class="byline">{by} {author} · <time datetime="{date}">{date}</time></p>
{body}
<div class="share">{share}: <a href="#share-facebook">Facebook</a> <a href="#share-x">X</a> \
<a href="#share-mail">E-mail</a></div>
</article>"""

TINY = """<section class="account">
<h1>{title}</h1>
<p>{text}</p>
</section>"""

COOKIE = """<div id="cookie-banner" class="cookie-consent" role="dialog"><p>{cookie}</p>\
<button class="accept">{accept}</button> <button class="settings">{settings}</button></div>"""

AD = """<div class="ad">{ad} <a href="https://ads.example/click?c={n}" rel="sponsored">{copy}</a>\
</div>"""

NOT_FOUND = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
    b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>\n"
    b"<hr><address>nginx</address></body></html>\n"
)

# The loose HTML pages: (file name, language). One name has a space and a non-ASCII letter.
HTML_FILES = (
    ("en-weekend-notes.html", "en"),
    ("Straßenfest Bericht.html", "de"),
    ("fr-chronique.html", "fr"),
    ("it-cronaca-locale.html", "it"),
    ("nl-weekblad.html", "nl"),
)

# Languages of the already-extracted JSONL documents; a broken line follows the third.
JSONL_LANGUAGES = ("en", "es", "pl", "zh", "de")


# An 8x8 gradient, drawn and compressed by our own code (served as image/png).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000080000000808020000004b6d29dc0000006c4944415478da15"
    "cd41150051084251a3188528467951884214a2cc1f975c0ece0c3b68b881c143860e33cb2e5a6e61f192a5fb"
    "40ac903881b088a81e1c7be8b883c3478ede837fe0555ff89f21d0f76ecc1a99f31fdbc4d40fc20685cb5f76"
    "48681e942d2ad77fc225a5e503c67b5801573936f20000000049454e44ae426082"
)

# A one-page PDF written by hand, with a correct cross-reference table.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj\n"
    b"<< /Type /Catalog /Pages 2 0 R >>\n"
    b"endobj\n"
    b"2 0 obj\n"
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
    b"endobj\n"
    b"3 0 obj\n"
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>\n"
    b"endobj\n"
    b"4 0 obj\n"
    b"<< /Length 49 >>\n"
    b"stream\n"
    b"BT /F1 18 Tf 72 720 Td (Annual report 2023) Tj ET\n"
    b"endstream\n"
    b"endobj\n"
    b"5 0 obj\n"
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\n"
    b"endobj\n"
    b"xref\n"
    b"0 6\n"
    b"0000000000 65535 f \n"
    b"0000000009 00000 n \n"
    b"0000000058 00000 n \n"
    b"0000000115 00000 n \n"
    b"0000000241 00000 n \n"
    b"0000000340 00000 n \n"
    b"trailer\n"
    b"<< /Size 6 /Root 1 0 R >>\n"
    b"startxref\n"
    b"410\n"
    b"%%EOF\n"
)

# The HTTP messages of a WARC request and response record; url is the URL split at its first
# three slashes: ["https:", "", host, path].
REQUEST = (
    "GET /{url[3]} HTTP/1.1\r\nHost: {url[2]}\r\nUser-Agent: crawlsift-demo/0.1\r\n"
    "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n\r\n"
)
RESPONSE = (
    "HTTP/1.1 {page.status}\r\nContent-Type: {page.content_type}\r\nContent-Length: {length}\r\n"
    "Date: {date}\r\nServer: nginx\r\n\r\n"
)
WARCINFO = (
    "software: crawlsift demo generator\r\nformat: WARC File Format 1.0\r\n"
    "isPartOf: crawlsift-demo-{seed}\r\ndescription: synthetic sample crawl, seed {seed}\r\n"
)

# The command line's description, and what it prints when done (m is the Manifest).
CLI_DESCRIPTION = (
    "Write a small, realistic, deterministic sample crawl under DIR/crawl: WARC files (the last "
    "one cut short), loose HTML pages, a JSONL file with one broken line, and MANIFEST.json, "
    "which tells what is in them. The same seed always gives the same bytes."
)
SUMMARY = (
    "Wrote a sample crawl to {root}: {m.counts[pages]} pages in {m.counts[warc_files]} WARC files "
    "({m.counts[warc_records]} records, the very last one truncated), {m.counts[html_files]} loose "
    "HTML pages and {m.counts[jsonl_documents]} JSONL documents (plus one broken line); documents "
    "by language: {languages}. The pages include {m.records[exact_duplicate]} exact and "
    "{m.records[near_duplicate]} near duplicates, {m.records[tiny]} tiny pages, "
    "{m.records[not_html]} non-HTML responses, {m.records[not_found]} 404 and {m.records[binary]} "
    "binary body labelled HTML; MANIFEST.json lists them all (seed {m.seed})."
)

# The languages of the distinct articles in turn: English weighs most, as in a real crawl.
LANGUAGE_CYCLE = ("en", "de", "fr", "en", "es", "it", "nl", "en", "pl", "ja", "de", "zh", "fr")
# Site sections (the first is the home page) and the query strings that make duplicate URLs.
NAV_PATHS = ("", "news", "local", "sport", "culture", "travel", "food")
TRACKING = ("?utm_source=newsletter&utm_medium=email", "?ref=rss", "?output=amp")
# The paths of the two kinds of tiny page (see CHROME[...]["tiny"]).
TINY_PATHS = ("account/login?return=%2Fnews%2F", "newsletter/thanks?id=")
# The pages that are not articles: (language, site, path, category, body, content type,
# status). The body None stands for random bytes, served as HTML all the same.
OTHER_PAGES = (
    ("en", 0, "media/chart.png", "not_html", PNG, "image/png", "200 OK"),
    ("de", 1, "files/bericht.pdf", "not_html", PDF, "application/pdf", "200 OK"),
    ("fr", 0, "news/disparu.html", "not_found", NOT_FOUND, "text/html", "404 Not Found"),
    ("es", 1, "noticias/portada.html", "binary", None, "text/html; charset=utf-8", "200 OK"),
)
